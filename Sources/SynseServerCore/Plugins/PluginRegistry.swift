import Foundation
import GRPCCore
import Synchronization
public import Logging

/// A registered plugin as commands see it.
public struct PluginHandle: Sendable {
  public let metadata: PluginMetadataRecord
  public let version: PluginVersionRecord
  public let endpoint: PluginEndpoint
  public let client: any PluginClient
  public var active: Bool
  public var disabled: Bool
  public var id: String { metadata.id }
}

/// The plugins the server knows, in registration order, with their active/disabled state
/// (docs/api-v3.md §8.4–§8.6).
///
/// A plugin's identity (the `id` of its `Metadata`) is read again at every refresh and every
/// reconnect: a different plugin answering at a registered address replaces the old entry at
/// once (logged), and the change handler rebuilds the device cache. Apart from that, plugins
/// are never removed. Unreachable plugins and sources not registered yet are tried again on
/// a ``ReconnectSchedule`` with a fresh connection each time, so the transport's own backoff
/// never delays a plugin that is back. Clients come from the injected ``PluginClientFactory``.
public actor PluginRegistry {
  struct Entry {
    var handle: PluginHandle
    /// Set while the plugin is inactive.
    var reconnect: ReconnectSchedule?
  }

  var entries: [Entry] = [] {
    didSet { publish() }
  }
  /// `entries`' handles and the number of sources not registered yet, readable without a hop
  /// onto the actor (every read request needs them).
  private nonisolated let published = Mutex<(plugins: [PluginHandle], unregistered: Int)>(([], 0))
  /// Sources that could not be registered yet.
  var pending: [PluginEndpoint: ReconnectSchedule] = [:] {
    didSet { publish() }
  }
  /// Endpoints with a registration or reconnect attempt under way.
  var attempting: Set<PluginEndpoint> = []
  /// Configured sources; Kubernetes-discovered ones are added at each refresh.
  private let staticSources: [PluginEndpoint]
  private(set) var sources: [PluginEndpoint]
  private let discovery: KubernetesDiscovery?
  let clients: any PluginClientFactory
  /// The one client of each embedded plugin (an in-process transport takes one client).
  var embeddedClients: [PluginEndpoint: any PluginClient] = [:]
  let connections: PluginConnections
  let logger: Logger
  let metrics: ServerMetrics?
  /// Where `plugin.active`/`plugin.inactive` go (PluginRegistry+Events.swift); nil: nowhere.
  let events: EventJournal?
  /// The plugin ID each endpoint's clients label their gRPC metrics with.
  var labels: [PluginEndpoint: PluginLabel] = [:]
  private var refreshing: Task<Void, Never>?
  private var lastRefresh: ContinuousClock.Instant?
  /// Called when the set of reachable plugins changed (registered, replaced, reconnected), so
  /// the device cache picks their devices up at once. It must not wait for a refresh.
  private var onChanged: (@Sendable () async -> Void)?

  /// - Parameters:
  ///   - configuration: plugin sources (`plugin.tcp`, `plugin.unix`, `plugin.embedded`,
  ///     `plugin.discover.kubernetes`).
  ///   - clients: builds a client for each registration and reconnect attempt.
  ///   - connections: runs every client's connections.
  ///   - metrics: plugin gauges; `nil` records none.
  ///   - events: the event feed for plugin state changes; `nil` publishes none.
  public init(
    configuration: ServerConfiguration, clients: any PluginClientFactory, connections: PluginConnections,
    logger: Logger, metrics: ServerMetrics? = nil, events: EventJournal? = nil
  ) {
    self.metrics = metrics
    self.events = events
    var sources = configuration.plugin.tcp.map(PluginEndpoint.tcp) + configuration.plugin.unix.map(PluginEndpoint.unixSocket)
    sources += configuration.plugin.embedded.filter(clients.servesEmbeddedPlugin(named:)).map(PluginEndpoint.embedded)
    self.staticSources = sources
    self.sources = sources
    self.discovery = configuration.kubernetes.map {
      KubernetesDiscovery(configuration: $0, environment: ProcessInfo.processInfo.environment, logger: logger)
    }
    self.clients = clients
    self.connections = connections
    self.logger = logger
    published.withLock { $0.unregistered = sources.count }
  }

  private func publish() {
    let handles = entries.map(\.handle)
    let unregistered = sources.filter { source in !handles.contains { $0.endpoint == source } }.count
    published.withLock { $0 = (handles, unregistered) }
  }

  func setChangeHandler(_ handler: @escaping @Sendable () async -> Void) {
    onChanged = handler
  }

  func changed() async {
    if let onChanged { await onChanged() }
  }

  /// All plugins in registration order.
  public nonisolated var plugins: [PluginHandle] { published.withLock { $0.plugins } }

  /// Plugin sources (configured or discovered) that are not registered: unreachable so far.
  public nonisolated var unregisteredSourceCount: Int { published.withLock { $0.unregistered } }

  /// The plugin with this ID. An inactive one is tried at once (rate-limited), since the
  /// caller is about to contact it; an unknown ID triggers a refresh (at most once a second),
  /// since a plugin may have been replaced at its address since the last one.
  public func plugin(id: String) async -> PluginHandle? {
    if let entry = entries.first(where: { $0.handle.id == id }) {
      if !entry.handle.active, !entry.handle.disabled {
        await attemptReconnect(entry.handle.endpoint, .onDemand)
      }
      return entries.first { $0.handle.id == id }?.handle ?? entry.handle
    }
    if let lastRefresh, ContinuousClock.now - lastRefresh < .seconds(1) { return nil }
    await refresh()
    return entries.first { $0.handle.id == id }?.handle
  }

  /// Registers new sources, disables vanished ones, and re-reads the identity of every other
  /// plugin (docs/api-v3.md §8.5, with `Metadata` in place of `Test`: same effect on the active
  /// flag, and a changed plugin ID is noticed). A refresh asked for while one runs waits for
  /// that one instead of returning before anything was refreshed.
  public func refresh() async {
    if let refreshing {
      await refreshing.value
      return
    }
    let task = Task { await self.performRefresh() }
    refreshing = task
    await task.value
    refreshing = nil
    lastRefresh = .now
  }

  private func performRefresh() async {
    if let discovery {
      let discovered = await discovery.endpoints()
      sources = staticSources + discovered.filter { !staticSources.contains($0) }
    }
    for endpoint in sources where pending[endpoint] == nil && !entries.contains(where: { $0.handle.endpoint == endpoint }) {
      pending[endpoint] = ReconnectSchedule()
    }
    pending = pending.filter { endpoint, _ in sources.contains(endpoint) }
    for index in entries.indices {
      let disabled = !sources.contains(entries[index].handle.endpoint)
      if disabled != entries[index].handle.disabled { metrics?.pluginDisabled(entries[index].handle.id, disabled) }
      entries[index].handle.disabled = disabled
    }
    publish()
    let registered = entries.filter { !$0.handle.disabled }.map(\.handle)
    let unregistered = Array(pending.keys)
    let changes = await withTaskGroup(of: Bool.self) { group in
      for handle in registered {
        group.addTask { await self.verify(handle) }
      }
      for endpoint in unregistered {
        group.addTask { await self.attemptRegistration(endpoint, .forced) }
      }
      var changed = false
      for await change in group { changed = changed || change }
      return changed
    }
    if changes { await changed() }
  }

  /// Probes unreachable plugins and unregistered sources whose next attempt is due.
  public func probeInactive() async {
    let now = ContinuousClock.now
    let due = pending.filter { $0.value.isDue(at: now) }.map(\.key)
      + entries.filter { !$0.handle.disabled && ($0.reconnect?.isDue(at: now) ?? false) }.map(\.handle.endpoint)
    guard !due.isEmpty else { return }
    let changes = await withTaskGroup(of: Bool.self) { group in
      for endpoint in due {
        group.addTask {
          await self.pending[endpoint] != nil
            ? await self.attemptRegistration(endpoint, .scheduled)
            : await self.attemptReconnect(endpoint, .scheduled)
        }
      }
      var changed = false
      for await change in group { changed = changed || change }
      return changed
    }
    if changes { await changed() }
  }

  /// Asks for an attempt on an inactive plugin without waiting for it (a read skipped it).
  public nonisolated func nudge(_ id: String) {
    Task {
      guard let endpoint = await self.entries.first(where: { $0.handle.id == id && !$0.handle.active })?.handle.endpoint else { return }
      if await self.attemptReconnect(endpoint, .onDemand) { await self.changed() }
    }
  }

  public func markActive(_ id: String) {
    guard let index = entries.firstIndex(where: { $0.handle.id == id }) else { return }
    if !entries[index].handle.active {
      metrics?.pluginActive(id, true)
      logger.info("plugin reconnected", metadata: ["id": "\(id)"])
      announce(entries[index].handle, active: true)
    }
    entries[index].handle.active = true
    entries[index].reconnect = nil
  }

  public func markInactive(_ id: String, reason: String) {
    guard let index = entries.firstIndex(where: { $0.handle.id == id }) else { return }
    if entries[index].handle.active {
      logger.warning("plugin became inactive; reconnecting", metadata: ["id": "\(id)", "address": "\(entries[index].handle.endpoint)", "error": "\(reason)"])
      metrics?.pluginActive(id, false)
      announce(entries[index].handle, active: false, reason: reason)
    }
    entries[index].handle.active = false
    if entries[index].reconnect == nil { entries[index].reconnect = ReconnectSchedule() }
  }
}
