public import Logging
public import SynseSDK
import Foundation
import Synchronization
import SynseSupport

#if canImport(Glibc)
  import Glibc
#endif

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
    plugin.pollsPeers(port: 5004)
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
      // No BMC at all is refused by `prepare`, which runs first.
      let settings = try IPMIEndpointSettings(item)
      guard let poller = fleet.poller(settings.endpoint), let poll = poller.inventory, fleet.claim(poll.guid, for: settings.endpoint) else {
        return []
      }
      return IPMIDevices.prototypes(poll, endpoint: settings.endpoint, outputs: outputs)
    }
    plugin.configuredHealthChecks = { config in
      config.dynamicRegistration.compactMap { item in
        guard let settings = try? IPMIEndpointSettings(item) else { return nil }
        return HealthCheck(name: "ipmi \(settings.endpoint)", interval: min(config.read.interval, .seconds(30))) {
          guard let poller = fleet.poller(settings.endpoint) else { throw HandlerError("ipmi \(settings.endpoint): not configured") }
          try poller.health()
          try fleet.checkGUID(of: poller)
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
  /// Which BMC's devices each System GUID is, the first to claim it: device IDs come from the
  /// GUID, so a second BMC with the same one (a cloned or unset GUID) would collide.
  private let owners = Mutex<[String: String]>([:])
  private let warned = Mutex<Set<String>>([])

  init(cacheDirectory: String, logger: Logger) {
    self.cacheDirectory = cacheDirectory
    self.logger = logger
  }

  func poller(_ endpoint: String) -> IPMIPoller? { pollers.withLock { $0[endpoint] } }

  /// `true` when `guid` is `endpoint`'s (claimed now or before); `false` when another BMC has it.
  func claim(_ guid: String, for endpoint: String) -> Bool {
    let owner = owners.withLock { owners in
      if let owner = owners[guid] { return owner }
      owners[guid] = endpoint
      return endpoint
    }
    if owner != endpoint, warned.withLock({ $0.insert(endpoint + " " + guid).inserted }) {
      logger.error("BMC has the System GUID of another; its devices are not served", metadata: ["endpoint": "\(endpoint)", "guid": "\(guid)", "other": "\(owner)"])
    }
    return owner == endpoint
  }

  /// - Throws: ``HandlerError`` when the BMC's System GUID belongs to another BMC of the plugin.
  func checkGUID(of poller: IPMIPoller) throws(HandlerError) {
    guard let guid = poller.inventory?.guid, let owner = owners.withLock({ $0[guid] }), owner != poller.endpoint else { return }
    throw HandlerError(
      "ipmi \(poller.endpoint): System GUID \(guid) is also the GUID of \(owner), whose devices have it; this BMC's devices are not served (device IDs come from the GUID)")
  }

  /// Starts one poller per valid BMC item and waits, all at once, for each first poll up to the
  /// BMC's timeout, so that the devices served from the start include every BMC that answered.
  /// Every item is checked before the first poller starts.
  ///
  /// - Throws: ``ConfigError`` for no BMC, a bad item (its key named), a BMC endpoint
  ///   (`host:port`) listed twice, or an SDR cache directory that cannot be created or written.
  func prepare(_ config: PluginConfig) async throws(ConfigError) {
    guard !config.dynamicRegistration.isEmpty else {
      throw ConfigError(
        .missingValue, key: "dynamicRegistration.config", message: "no BMC configured: add one item per BMC with host, username and password or passwordFile")
    }
    try prepareCacheDirectory()
    // Every item is checked before any poller starts: a refusal must not leave pollers (and
    // their threads in FreeIPMI) running while the plugin exits.
    var valid: [IPMIEndpointSettings] = []
    var seen: [String: Int] = [:]
    for (index, item) in config.dynamicRegistration.enumerated() {
      let settings: IPMIEndpointSettings
      do throws(ConfigError) {
        settings = try IPMIEndpointSettings(item)
      } catch {
        throw error.inRegistrationItem(index)
      }
      // Host names ignore case: `BMC7` and `bmc7` are one BMC.
      if let first = seen[settings.endpoint.lowercased()] {
        throw ConfigError(
          .invalidValue, key: "dynamicRegistration.config[\(index)].host",
          message: "\(settings.endpoint) is already dynamicRegistration.config[\(first)]")
      }
      seen[settings.endpoint.lowercased()] = index
      valid.append(settings)
    }
    var started: [IPMIPoller] = []
    for settings in valid {
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

  private func prepareCacheDirectory() throws(ConfigError) {
    // mkdir(2) for each missing component: its errno says why (Foundation's text for a path
    // through a regular file is "NSCocoaErrorDomain error 512").
    var path = cacheDirectory.hasPrefix("/") ? "" : "."
    for component in cacheDirectory.split(separator: "/", omittingEmptySubsequences: true) {
      path += "/" + component
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else {
          throw ConfigError(.invalidValue, key: "IPMI_SDR_CACHE_DIR", message: "cannot create the SDR cache directory '\(cacheDirectory)': '\(path)' is not a directory")
        }
        continue
      }
      guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
        throw ConfigError(
          .invalidValue, key: "IPMI_SDR_CACHE_DIR", message: "cannot create the SDR cache directory '\(cacheDirectory)': \(String(cString: strerror(errno)))")
      }
    }
    guard FileManager.default.isWritableFile(atPath: cacheDirectory) else {
      throw ConfigError(.invalidValue, key: "IPMI_SDR_CACHE_DIR", message: "cannot write to the SDR cache directory '\(cacheDirectory)'")
    }
  }

  func shutdown() {
    for poller in pollers.withLock({ Array($0.values) }) { poller.stop() }
  }
}
