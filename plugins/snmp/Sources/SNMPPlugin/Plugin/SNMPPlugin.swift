public import Logging
public import SynseSDK
import Foundation
import Synchronization
import SynseSupport

/// The SNMP plugin: PDUs, UPSs and environmental sensors of every agent in the plugin config's
/// `dynamicRegistration.config` list as Synse devices, over net-snmp (docs/snmp.md, issue 20).
///
/// Each agent has a poller (its own task, and its own thread for the blocking net-snmp calls);
/// read handlers answer from the latest poll, health has one check per agent naming it and
/// net-snmp's reason, writes are SETs confirmed by reading back.
///
/// ```swift
/// let snmp = SNMPPlugin(logger: logger)            // profiles: shipped + SNMP_PROFILES_DIR
/// try await snmp.plugin.run(flags: flags, logger: logger)
/// snmp.shutdown()
/// ```
public struct SNMPPlugin: Sendable {
  public private(set) var plugin: Plugin
  let fleet: SNMPFleet

  /// - Parameter profilesDirectory: YAML profiles over the shipped ones (`SNMP_PROFILES_DIR`).
  public init(logger: Logger, profilesDirectory: String? = nil) {
    var plugin = Plugin(
      metadata: PluginMetadata(name: "snmp", maintainer: "synse-swift", description: "PDUs, UPSs and environmental sensors over SNMP", vcs: ""),
      version: PluginVersion(pluginVersion: "1.0.0"))
    let fleet = SNMPFleet(directory: profilesDirectory ?? ProcessInfo.processInfo.environment["SNMP_PROFILES_DIR"], outputs: plugin.outputs, logger: logger)
    self.fleet = fleet
    plugin.pollsPeers(port: 5005)
    let outputs = plugin.outputs
    let read: DeviceHandler.Read = { device in
      let (poller, key) = try Self.locate(device, in: fleet)
      guard let poll = poller.current, let output = device.output ?? outputs["number"],
        let reading = SNMPDevices.reading(key: key, in: poll, output: output)
      else { return [] }
      return [reading]
    }
    for type in SNMPDevices.readTypes { plugin.register(handler: DeviceHandler(name: type, read: read)) }
    plugin.register(handler: DeviceHandler(name: SNMPDevices.controlHandler, read: read, write: { device, data in
      let (poller, key) = try Self.locate(device, in: fleet)
      guard let polled = poller.inventory?.device(key), let profile = poller.inventory.flatMap({ fleet.library?.profiles[$0.profile] }) else {
        throw HandlerError("\(key) of \(poller.target.settings.endpoint) is not in the agent's latest poll")
      }
      let index = polled.index.flatMap { OID(index: $0) }
      guard (index == nil) == (polled.index == nil) else { throw HandlerError("\(key): row index '\(polled.index ?? "")' is not an OID") }
      try await SNMPWrites.state(data, device: key, spec: profile.devices[polled.spec], index: index, on: poller.target)
      // Read at once what the write changed, not at the next poll.
      await poller.peer.pollOnce()
    }, actions: ["state"]))
    plugin.deviceIdentifier = { data in
      if case .string(let identity)? = data["identity"] { return identity }
      return DeviceIdentifier.dataComponent(data)
    }
    plugin.prepare = { config in try await fleet.prepare(config) }
    plugin.dynamicRegistrar = { item throws(ConfigError) in
      let settings = try SNMPTargetSettings(item)
      guard let poller = fleet.poller(settings), let poll = poller.inventory, let profile = fleet.library?.profiles[poll.profile] else { return [] }
      return SNMPDevices.prototypes(poll, profile: profile, settings: settings, outputs: outputs)
    }
    plugin.configuredHealthChecks = { config in
      config.dynamicRegistration.compactMap { item in
        guard let settings = try? SNMPTargetSettings(item) else { return nil }
        return HealthCheck(name: "snmp \(settings.name)", interval: min(config.read.interval, .seconds(30))) {
          guard let poller = fleet.poller(settings) else { throw HandlerError("snmp \(settings.name): not configured") }
          try poller.peer.health()
        }
      }
    }
    self.plugin = plugin
  }

  /// Stops every poller; call once the plugin has stopped.
  public func shutdown() { fleet.shutdown() }

  static func locate(_ device: Device, in fleet: SNMPFleet) throws(HandlerError) -> (SNMPFleet.Poller, String) {
    guard case .string(let key)? = device.data["key"], case .string(let identity)? = device.data["identity"],
      let poller = fleet.poller(identity: identity, key: key)
    else { throw HandlerError("device \(device.id) is not a known SNMP device") }
    return (poller, key)
  }
}

/// The plugin's agents, each with its target and poller, by endpoint and context.
final class SNMPFleet: Sendable {
  struct Poller: Sendable {
    let target: SNMPTarget
    let peer: PeerPoller<SNMPPoll, SNMPError>
    var current: SNMPPoll? { peer.current }
    var inventory: SNMPPoll? { peer.inventory }
  }

  private let directory: String?
  private let outputs: [String: Output]
  private let logger: Logger
  private let pollers = Mutex<[String: Poller]>([:])
  private let loaded = Mutex<SNMPProfileLibrary?>(nil)

  init(directory: String?, outputs: [String: Output], logger: Logger) {
    self.directory = directory
    self.outputs = outputs
    self.logger = logger
  }

  var library: SNMPProfileLibrary? { loaded.withLock { $0 } }

  /// Targets by address and context: one agent can serve several contexts.
  private static func name(_ settings: SNMPTargetSettings) -> String { SNMPDevices.identity(endpoint: settings.endpoint, context: settings.contextName, key: "") }

  func poller(_ settings: SNMPTargetSettings) -> Poller? { pollers.withLock { $0[Self.name(settings)] } }

  /// The poller whose device `identity` is: the identity is the target's name and the key.
  func poller(identity: String, key: String) -> Poller? {
    guard identity.hasSuffix(key) else { return nil }
    return pollers.withLock { $0[String(identity.dropLast(key.count))] }
  }

  /// Loads the profiles, checks every target, then starts one poller per target and waits, all
  /// at once, for each first poll up to its timeout × (retries + 1) and a second, so that the
  /// devices served from the start include every agent that answered.
  ///
  /// - Throws: ``ConfigError`` for no target, a bad target (its key named), a target listed
  ///   twice, a `profile:` no profile has, or a bad profile file.
  func prepare(_ config: PluginConfig) async throws(ConfigError) {
    guard !config.dynamicRegistration.isEmpty else {
      throw ConfigError(.missingValue, key: "dynamicRegistration.config", message: "no SNMP target configured: add one item per agent with address and community (or v3 user)")
    }
    let library = try SNMPProfileLibrary.load(directory: directory, outputs: outputs)
    loaded.withLock { $0 = library }
    // Every item is checked before any agent is asked: a process that stops for a bad item
    // must not stop with net-snmp calls (and its OpenSSL) in flight on pollers' threads.
    var targets: [SNMPTargetSettings] = []
    var seen: [String: Int] = [:]
    for (index, item) in config.dynamicRegistration.enumerated() {
      let place = "dynamicRegistration.config[\(index)]"
      let settings: SNMPTargetSettings
      do throws(ConfigError) {
        settings = try SNMPTargetSettings(item)
      } catch {
        throw error.inRegistrationItem(index)
      }
      let name = Self.name(settings).lowercased()
      if let first = seen[name] {
        throw ConfigError(.invalidValue, key: "\(place).address", message: "\(settings.endpoint) is already dynamicRegistration.config[\(first)]")
      }
      seen[name] = index
      // The same agent under two names (localhost, 127.0.0.1) would serve every device twice.
      let resolved = settings.resolvedNames
      if let shared = resolved.first(where: { seen[$0] != nil }), let first = seen[shared] {
        throw ConfigError(
          .invalidValue, key: "\(place).address",
          message: "\(settings.endpoint) is the agent of dynamicRegistration.config[\(first)] (both resolve to \(shared))")
      }
      for name in resolved { seen[name] = index }
      if let profile = settings.profile, library.profiles[profile] == nil {
        throw ConfigError(
          .invalidValue, key: "\(place).profile", message: "no profile named '\(profile)'; known: \(library.profiles.keys.sorted().joined(separator: ", "))")
      }
      targets.append(settings)
    }
    var started: [(Poller, Duration)] = []
    for settings in targets {
      guard poller(settings) == nil else { continue }
      let target = SNMPTarget(settings, library: library)
      var logger = logger
      logger[metadataKey: "endpoint"] = "\(settings.endpoint)"
      if !settings.contextName.isEmpty { logger[metadataKey: "context"] = "\(settings.contextName)" }
      let noted = Mutex<Set<String>>([])
      let targetLogger = logger
      let peer = PeerPoller(name: "snmp \(settings.name)", interval: config.read.interval, logger: logger) { () throws(SNMPError) in
        let poll = try await target.poll()
        for problem in poll.problems where noted.withLock({ $0.insert(problem).inserted }) {
          targetLogger.warning("SNMP agent lacks part of its profile", metadata: ["problem": "\(problem)"])
        }
        return poll
      }
      let poller = Poller(target: target, peer: peer)
      pollers.withLock { $0[Self.name(settings)] = poller }
      peer.start()
      started.append((poller, settings.timeout * (settings.retries + 1) + .seconds(1)))
    }
    await withTaskGroup(of: Void.self) { group in
      for (poller, wait) in started { group.addTask { await poller.peer.firstPoll(within: wait) } }
    }
    for (poller, _) in started {
      let endpoint = poller.target.settings.endpoint
      if let poll = poller.inventory {
        logger.info("SNMP agent answered its first poll", metadata: ["endpoint": "\(endpoint)", "profile": "\(poll.profile)", "devices": "\(poll.devices.count)"])
      } else {
        logger.warning("SNMP agent did not answer its first poll; still polled, its devices appear once it answers", metadata: ["endpoint": "\(endpoint)"])
      }
    }
  }

  func shutdown() {
    for poller in pollers.withLock({ Array($0.values) }) { poller.peer.stop() }
  }
}
