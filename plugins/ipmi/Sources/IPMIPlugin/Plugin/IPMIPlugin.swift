public import Logging
public import SynseSDK
import Foundation
import Synchronization
import SynseSupport

/// The IPMI plugin: the SDR sensors, chassis power and identify LED of every BMC in the plugin
/// config's `dynamicRegistration.config` list as Synse devices, over RMCP/RMCP+ through FreeIPMI
/// (docs/ipmi.md, issue 19).
///
/// Each BMC has a poller (its own task, and its own thread for the blocking FreeIPMI calls);
/// read handlers answer from the latest poll, health has one check per BMC naming it and
/// FreeIPMI's reason, writes go to the BMC and are confirmed by reading chassis status back.
///
/// ```swift
/// let ipmi = IPMIPlugin(logger: logger)
/// try await ipmi.plugin.run(flags: flags, logger: logger)
/// ipmi.shutdown()
/// ```
public struct IPMIPlugin: Sendable {
  public private(set) var plugin: Plugin
  let fleet: IPMIFleet

  /// - Parameter cacheDirectory: where each BMC's SDR cache file lives (`IPMI_SDR_CACHE_DIR`,
  ///   by default `<tmp>/synse-ipmi-sdr-cache`), kept across restarts so a restart does not
  ///   fetch every SDR again.
  public init(logger: Logger, cacheDirectory: String? = nil) {
    let directory = cacheDirectory ?? ProcessInfo.processInfo.environment["IPMI_SDR_CACHE_DIR"]
      ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("synse-ipmi-sdr-cache")
    let fleet = IPMIFleet(cacheDirectory: directory, logger: logger)
    self.fleet = fleet
    var plugin = Plugin(
      metadata: PluginMetadata(name: "ipmi", maintainer: "synse-swift", description: "Sensors, chassis power and identify of IPMI BMCs", vcs: ""),
      version: PluginVersion(pluginVersion: "1.0.0"))
    plugin.defaultPluginConfig = """
      version: 3
      network: {type: tcp, address: ":5004"}
      settings: {read: {interval: 10s}, write: {interval: 1s}}
      """
    plugin.rescanInterval = .seconds(30)
    let outputs = plugin.outputs
    let read: DeviceHandler.Read = { device in
      let (poller, key) = try Self.locate(device, in: fleet)
      guard let poll = poller.current, let output = device.output ?? outputs["number"],
        let reading = IPMIDevices.reading(key: key, in: poll, output: output)
      else { return [] }
      return [reading]
    }
    for type in IPMIDevices.sensorTypes { plugin.register(handler: DeviceHandler(name: type, read: read)) }
    plugin.register(handler: DeviceHandler(name: IPMIDevices.powerHandler, read: read, write: { device, data in
      let (poller, _) = try Self.locate(device, in: fleet)
      try await IPMIWrites.power(data, on: poller.connection)
    }, actions: ["state"]))
    plugin.register(handler: DeviceHandler(name: IPMIDevices.identifyHandler, read: read, write: { device, data in
      let (poller, _) = try Self.locate(device, in: fleet)
      try await IPMIWrites.identify(data, on: poller.connection)
    }, actions: ["state", "identify"]))
    plugin.deviceIdentifier = { data in
      if case .string(let key)? = data["key"] { return key }
      return DeviceIdentifier.dataComponent(data)
    }
    plugin.prepare = { config in try await fleet.prepare(config) }
    plugin.dynamicRegistrar = { item throws(ConfigError) in
      guard item != .map([]) else {
        throw ConfigError(.missingValue, key: "dynamicRegistration.config", message: "no BMC configured: add one item per BMC with host, username and password or passwordFile")
      }
      let settings = try IPMIEndpointSettings(item)
      guard let poller = fleet.poller(settings.endpoint), let poll = poller.inventory else { return [] }
      return IPMIDevices.prototypes(poll, endpoint: settings.endpoint, outputs: outputs)
    }
    plugin.configuredHealthChecks = { config in
      config.dynamicRegistration.compactMap { item in
        guard let settings = try? IPMIEndpointSettings(item) else { return nil }
        return HealthCheck(name: "ipmi \(settings.endpoint)", interval: min(config.read.interval, .seconds(30))) {
          guard let poller = fleet.poller(settings.endpoint) else { throw HandlerError("ipmi \(settings.endpoint): not configured") }
          try poller.health()
        }
      }
    }
    self.plugin = plugin
  }

  /// Stops every poller; call once the plugin has stopped.
  public func shutdown() { fleet.shutdown() }

  static func locate(_ device: Device, in fleet: IPMIFleet) throws(HandlerError) -> (IPMIPoller, String) {
    guard case .string(let key)? = device.data["key"], case .string(let endpoint)? = device.data["endpoint"],
      let poller = fleet.poller(endpoint)
    else { throw HandlerError("device \(device.id) is not a known IPMI sensor") }
    return (poller, key)
  }
}

/// The plugin's BMCs by endpoint (`host:port`), each with its poller.
final class IPMIFleet: Sendable {
  private let cacheDirectory: String
  private let logger: Logger
  private let pollers = Mutex<[String: IPMIPoller]>([:])

  init(cacheDirectory: String, logger: Logger) {
    self.cacheDirectory = cacheDirectory
    self.logger = logger
  }

  func poller(_ endpoint: String) -> IPMIPoller? { pollers.withLock { $0[endpoint] } }

  /// Starts one poller per valid BMC item and waits, all at once, for each first poll up to the
  /// BMC's timeout, so that the devices served from the start include every BMC that answered.
  /// Items with bad settings are left to the registrar, which names the key.
  ///
  /// - Throws: ``ConfigError`` for a BMC endpoint (`host:port`) listed twice.
  func prepare(_ config: PluginConfig) async throws(ConfigError) {
    try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    var started: [IPMIPoller] = []
    var seen: [String: Int] = [:]
    for (index, item) in config.dynamicRegistration.enumerated() {
      guard let settings = try? IPMIEndpointSettings(item) else { continue }
      if let first = seen[settings.endpoint] {
        throw ConfigError(
          .invalidValue, key: "dynamicRegistration.config[\(index)].host",
          message: "\(settings.endpoint) is already dynamicRegistration.config[\(first)]")
      }
      seen[settings.endpoint] = index
      guard poller(settings.endpoint) == nil else { continue }
      let poller = IPMIPoller(BMCConnection(settings, cacheDirectory: cacheDirectory), interval: config.read.interval, logger: logger)
      pollers.withLock { $0[settings.endpoint] = poller }
      poller.start()
      started.append(poller)
    }
    await withTaskGroup(of: Void.self) { group in
      for poller in started { group.addTask { await poller.firstPoll(within: poller.connection.settings.timeout * 2) } }
    }
    for poller in started {
      if let poll = poller.inventory {
        logger.info("BMC answered its first poll", metadata: ["endpoint": "\(poller.endpoint)", "sensors": "\(poll.sensors.count)", "guid": "\(poll.guid)"])
      } else {
        logger.warning("BMC did not answer its first poll; still polled, its devices appear once it answers", metadata: ["endpoint": "\(poller.endpoint)"])
      }
    }
  }

  func shutdown() {
    for poller in pollers.withLock({ Array($0.values) }) { poller.stop() }
  }
}
