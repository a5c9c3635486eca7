public import Logging
public import SynseSDK
import SynseSupport

/// The Redfish plugin: the sensors, LEDs, system power and PDU outlets of every BMC in the
/// plugin config's `dynamicRegistration.config` list as Synse devices (docs/redfish.md).
///
/// Each BMC has a poller walking its service every `settings.read.interval` on its own task;
/// read handlers answer from the latest walk, health has one check per BMC, writes go through
/// ``RedfishWriter``. Device IDs rest on the service UUID and the resource path.
///
/// ```swift
/// let redfish = RedfishPlugin(logger: logger)
/// try await redfish.plugin.run(flags: flags, logger: logger)
/// await redfish.shutdown()
/// ```
public struct RedfishPlugin: Sendable {
  public private(set) var plugin: Plugin
  let fleet: RedfishFleet

  /// The plugin with the real client, discovery and writer.
  public init(logger: Logger) {
    self.init(parts: .live, logger: logger)
  }

  init(parts: RedfishParts, logger: Logger) {
    let fleet = RedfishFleet(parts: parts, logger: logger)
    self.fleet = fleet
    var plugin = Plugin(
      metadata: PluginMetadata(
        name: "redfish", maintainer: "synse-swift", description: "Sensors, LEDs, power and PDU outlets of Redfish BMCs", vcs: ""),
      version: PluginVersion(pluginVersion: "1.0.0"))
    // BMCs take 1–6 s per request and a walk is tens of requests: poll every 10 s. Rescans
    // read the pollers' latest inventories (no request): late BMCs and resources that came or
    // went become devices at the next one.
    plugin.pollsPeers(port: 5003)
    let outputs = plugin.outputs
    let read: DeviceHandler.Read = { device in
      let (poller, key) = try Self.locate(device, in: fleet)
      guard let point = poller.point(key), let output = outputs[point.output] ?? device.output else { return [] }
      return [RedfishDevices.reading(point, output: output)]
    }
    let write: DeviceHandler.Write = { device, data in
      let (poller, key) = try Self.locate(device, in: fleet)
      guard let point = poller.point(key) else {
        throw HandlerError("redfish \(poller.endpoint): \(device.id) has no current state (the BMC is not answering or the resource is gone)")
      }
      try await parts.write(point, data.action, data.text, poller.transport)
    }
    let samples: [RedfishControl] = [.indicatorLED, .locationIndicator, .reset(target: "", allowable: []), .outletPower(target: "", allowable: [])]
    let actions = Array(Set(samples.flatMap(parts.actions))).sorted()
    for type in RedfishDevices.deviceTypes {
      plugin.register(handler: DeviceHandler(name: type, read: read))
      plugin.register(handler: DeviceHandler(name: type + "-control", read: read, write: write, actions: actions))
    }
    plugin.deviceIdentifier = { data in
      if case .string(let key)? = data["key"] { return key }
      return DeviceIdentifier.dataComponent(data)
    }
    plugin.prepare = { config in try await Self.prepare(config, parts: parts, fleet: fleet, logger: logger) }
    plugin.dynamicRegistrar = { item throws(ConfigError) in
      guard item != .map([]) else {
        throw ConfigError(
          .missingValue, key: "dynamicRegistration.config",
          message: "no BMC configured: add one item per BMC with endpoint, username and password or passwordFile")
      }
      let endpoint = try parts.endpoint(item)
      let poller = try fleet.poller(for: endpoint)
      guard let inventory = poller.inventory else { return [] }
      let (prototypes, problems) = RedfishDevices.prototypes(
        inventory, endpoint: endpoint.endpoint, outputs: outputs, claimed: fleet.claimed(before: poller))
      for problem in problems {
        fleet.warnOnce(endpoint.endpoint + " " + problem) {
          logger.warning("redfish point left out", metadata: ["endpoint": "\(endpoint.endpoint)", "problem": "\(problem)"])
        }
      }
      return prototypes
    }
    plugin.configuredHealthChecks = { config in
      fleet.configure(interval: config.read.interval)
      return config.dynamicRegistration.compactMap { item in
        guard let endpoint = try? parts.endpoint(item) else { return nil }
        return HealthCheck(name: "redfish \(endpoint.endpoint)", interval: min(config.read.interval, .seconds(30))) {
          guard let poller = fleet.poller(named: endpoint.endpoint) else { return }
          try poller.health()
          // A second address of one service is no fault: said once, the check stays OK (it
          // kept the whole plugin unhealthy for good).
          if let owner = fleet.shadowing(poller) {
            fleet.warnOnce("shadowed \(poller.endpoint) by \(owner.endpoint)") {
              logger.warning(
                "BMC is the same service as an earlier endpoint; its devices are served from there",
                metadata: ["endpoint": "\(poller.endpoint)", "served_from": "\(owner.endpoint)", "uuid": "\(poller.inventory?.serviceUUID ?? "")"])
            }
          }
        }
      }
    }
    self.plugin = plugin
  }

  /// Stops polling and logs out of every BMC (Redfish sessions deleted); call once the
  /// plugin has stopped.
  public func shutdown() async {
    await fleet.shutdown()
  }

  /// Starts one poller per BMC and waits, all at once, for each first walk up to the BMC's
  /// `timeout`, so that the devices served from the start include every BMC that answered.
  /// Items with bad settings are left to the registrar, which names the key.
  static func prepare(_ config: PluginConfig, parts: RedfishParts, fleet: RedfishFleet, logger: Logger) async throws {
    fleet.configure(interval: config.read.interval)
    var pollers: [RedfishPoller] = []
    var seen: [String: Int] = [:]
    for (index, item) in config.dynamicRegistration.enumerated() {
      guard let endpoint = try? parts.endpoint(item) else { continue }
      if let first = seen[endpoint.endpoint] {
        throw ConfigError(
          .invalidValue, key: "dynamicRegistration.config[\(index)].endpoint",
          message: "\(endpoint.endpoint) is already dynamicRegistration.config[\(first)]")
      }
      seen[endpoint.endpoint] = index
      guard let poller = try? fleet.poller(for: endpoint) else { continue }
      pollers.append(poller)
    }
    await withTaskGroup(of: Void.self) { group in
      for poller in pollers { group.addTask { await poller.firstWalk(within: poller.timeout) } }
    }
    // One line per BMC, saying what happens next for those that did not answer in time.
    for poller in pollers {
      if let failure = poller.lastFailure {
        logger.warning(
          "BMC's first walk failed; still polled with backoff, its devices appear once it answers",
          metadata: ["endpoint": "\(poller.endpoint)", "error": "\(failure.kind.rawValue): \(failure.message)"])
      } else if let inventory = poller.inventory {
        logger.info("BMC answered its first walk", metadata: ["endpoint": "\(poller.endpoint)", "points": "\(inventory.points.count)"])
      } else {
        logger.warning(
          "BMC did not answer its first walk in time; still polled, its devices appear once it answers",
          metadata: ["endpoint": "\(poller.endpoint)", "timeout": "\(GoDuration.format(poller.timeout))"])
      }
    }
  }

  /// The poller and device key of a device this plugin made.
  static func locate(_ device: Device, in fleet: RedfishFleet) throws(HandlerError) -> (RedfishPoller, String) {
    guard case .string(let key)? = device.data["key"], case .string(let endpoint)? = device.data["endpoint"],
      let poller = fleet.poller(named: endpoint)
    else { throw HandlerError("device \(device.id) is not a known Redfish point") }
    return (poller, key)
  }
}
