import Foundation
import Logging

/// What a plugin says it is: `Metadata` and `Version` (docs/api-v3.md §8.4).
struct PluginIdentity: Sendable {
  let metadata: PluginMetadataRecord
  let version: PluginVersionRecord
}

/// Why a connection attempt is made: its schedule came due, a request needs the plugin
/// (rate-limited), or a refresh wants to know what is reachable now (always made).
enum AttemptKind { case scheduled, onDemand, forced }

/// A plugin whose metadata lacks a tag or ID: it cannot be registered.
struct IncompleteIdentity: Error {}

extension PluginRegistry {
  /// `Metadata` and `Version` of whatever plugin `client` reaches.
  func identify(_ client: any PluginClient) async throws -> PluginIdentity {
    let metadata = try await client.metadata()
    let version = try await client.version()
    guard !metadata.tag.isEmpty, !metadata.id.isEmpty else { throw IncompleteIdentity() }
    return PluginIdentity(metadata: metadata, version: version)
  }

  /// Re-reads the identity of a registered plugin over its client; when that fails, tries a
  /// fresh connection at once. Returns whether the registry changed.
  func verify(_ handle: PluginHandle) async -> Bool {
    do {
      let identity = try await identify(handle.client)
      return install(identity, at: handle.endpoint, client: handle.client)
    } catch is IncompleteIdentity {
      logger.warning("plugin metadata lacks a tag or id", metadata: ["address": "\(handle.endpoint)"])
      markInactive(handle.id, reason: "metadata lacks a tag or id")
      return false
    } catch {
      markInactive(handle.id, reason: "\(error)")
      return await attemptReconnect(handle.endpoint, .forced)
    }
  }

  /// Checks the identity behind `endpoint` again (its client opened a new connection, or the
  /// device cache saw devices of another plugin there); rebuilds the device cache if it changed.
  func checkIdentity(_ endpoint: PluginEndpoint) async {
    guard let handle = entries.first(where: { $0.handle.endpoint == endpoint })?.handle, handle.active else { return }
    if await verify(handle) { await changed() }
  }

  /// One registration attempt of an unregistered source over a fresh connection. Failures
  /// are logged once per outage. Returns whether the plugin was registered.
  ///
  /// `.scheduled` attempts skip an endpoint with one under way, `.onDemand` ones are also
  /// rate-limited, and `.forced` ones (a refresh: "what is reachable now") always dial.
  func attemptRegistration(_ endpoint: PluginEndpoint, _ kind: AttemptKind) async -> Bool {
    let now = ContinuousClock.now
    guard var schedule = pending[endpoint] else { return false }
    if kind != .forced, attempting.contains(endpoint) { return false }
    if kind == .onDemand, !schedule.allowsAttempt(at: now) { return false }
    schedule.attempted(at: now)
    pending[endpoint] = schedule
    attempting.insert(endpoint)
    defer { attempting.remove(endpoint) }
    var client: (any PluginClient)?
    do {
      let fresh = try makeClient(for: endpoint)
      client = fresh
      let identity = try await identify(fresh)
      return install(identity, at: endpoint, client: fresh)
    } catch {
      if !endpoint.isEmbedded { client.map(connections.abandon) }
      guard var schedule = pending[endpoint] else { return false }
      let log = schedule.failed(at: .now)
      pending[endpoint] = schedule
      let reason = error is IncompleteIdentity ? "plugin metadata lacks a tag or id" : "\(error)"
      if log {
        logger.warning("failed to register plugin; retrying (logged once per outage)", metadata: ["address": "\(endpoint)", "error": "\(reason)"])
      } else {
        logger.debug("plugin still unreachable", metadata: ["address": "\(endpoint)", "error": "\(reason)"])
      }
      return false
    }
  }

  /// One reconnect attempt of an inactive plugin over a fresh connection (its old client may
  /// be waiting out the transport's backoff). Returns whether the registry changed.
  @discardableResult
  func attemptReconnect(_ endpoint: PluginEndpoint, _ kind: AttemptKind) async -> Bool {
    let now = ContinuousClock.now
    guard let index = entries.firstIndex(where: { $0.handle.endpoint == endpoint }), !entries[index].handle.active else { return false }
    if kind != .forced, attempting.contains(endpoint) { return false }
    var schedule = entries[index].reconnect ?? ReconnectSchedule()
    if kind == .onDemand, !schedule.allowsAttempt(at: now) { return false }
    schedule.attempted(at: now)
    entries[index].reconnect = schedule
    attempting.insert(endpoint)
    defer { attempting.remove(endpoint) }
    var client: (any PluginClient)?
    do {
      let fresh = try endpoint.isEmbedded ? entries[index].handle.client : makeClient(for: endpoint)
      client = fresh
      let identity = try await identify(fresh)
      return install(identity, at: endpoint, client: fresh)
    } catch {
      if let client, !endpoint.isEmbedded { connections.abandon(client) }
      if let index = entries.firstIndex(where: { $0.handle.endpoint == endpoint }), !entries[index].handle.active {
        var schedule = entries[index].reconnect ?? ReconnectSchedule()
        _ = schedule.failed(at: .now)
        entries[index].reconnect = schedule
      }
      logger.debug("plugin still unreachable", metadata: ["address": "\(endpoint)", "error": "\(error)"])
      return false
    }
  }

  /// Puts the plugin `identity` reached at `endpoint` through `client` into the registry:
  /// the same plugin is marked active (on its new client); a different one retires the entry
  /// at that address (logged) and is registered in its place (docs/api-v3.md §8.4 for ID
  /// collisions with other addresses). Returns whether anything but the active flag changed,
  /// or the plugin came back (so its devices must be fetched).
  func install(_ identity: PluginIdentity, at endpoint: PluginEndpoint, client: any PluginClient) -> Bool {
    let id = identity.metadata.id
    var changed = false
    if let index = entries.firstIndex(where: { $0.handle.endpoint == endpoint }) {
      let old = entries[index].handle
      if old.id == id {
        if old.client.identity != client.identity { connections.stop(old.client) }
        let cameBack = !old.active
        entries[index].handle = PluginHandle(
          metadata: identity.metadata, version: identity.version, endpoint: endpoint, client: client, active: true, disabled: old.disabled)
        entries[index].reconnect = nil
        if cameBack {
          metrics?.pluginActive(id, true)
          logger.info("plugin reconnected", metadata: ["id": "\(id)", "address": "\(endpoint)"])
          announce(entries[index].handle, active: true)
        }
        return cameBack
      }
      logger.warning(
        "a different plugin answers at a registered address; retiring the old entry",
        metadata: ["address": "\(endpoint)", "old_id": "\(old.id)", "new_id": "\(id)"])
      if old.client.identity != client.identity { connections.stop(old.client) }
      metrics?.pluginRetired(old.id, wasActive: old.active)
      if old.active { announce(old, active: false, reason: "replaced by plugin \(id) answering at \(endpoint)") }
      entries.remove(at: index)
      changed = true
    }
    if let index = entries.firstIndex(where: { $0.handle.id == id }) {
      guard entries[index].handle.disabled || !entries[index].handle.active && entries[index].handle.endpoint == endpoint else {
        logger.warning("plugin id already registered at another address; not registering", metadata: ["id": "\(id)", "address": "\(endpoint)"])
        pending[endpoint] = nil
        if !endpoint.isEmbedded { connections.stop(client) }
        return changed
      }
      if entries[index].handle.client.identity != client.identity { connections.stop(entries[index].handle.client) }
      entries[index] = Entry(handle: PluginHandle(metadata: identity.metadata, version: identity.version, endpoint: endpoint, client: client, active: true, disabled: false))
    } else {
      // Configured order, not answer order: sources are dialled at once, and reads and scans
      // list plugins in registry order (docs/api-v3.md §8.7), which must not change per restart.
      let rank = { (endpoint: PluginEndpoint) in self.sources.firstIndex(of: endpoint) ?? Int.max }
      let position = entries.firstIndex { rank($0.handle.endpoint) > rank(endpoint) } ?? entries.endIndex
      entries.insert(
        Entry(handle: PluginHandle(metadata: identity.metadata, version: identity.version, endpoint: endpoint, client: client, active: true, disabled: false)),
        at: position)
    }
    labels[endpoint]?.set(id)
    metrics?.pluginActive(id, true)
    metrics?.pluginDisabled(id, false)
    if let registered = entries.first(where: { $0.handle.id == id })?.handle { announce(registered, active: true) }
    logger.info("registered plugin", metadata: ["id": "\(id)", "tag": "\(identity.metadata.tag)", "address": "\(endpoint)"])
    pending[endpoint] = nil
    return true
  }
}
