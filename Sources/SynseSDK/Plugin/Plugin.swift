public import Foundation
import SynseTelemetry
public import Logging

/// A plugin under construction: metadata, handlers and extensions. ``run(flags:logger:)``
/// loads the configuration, builds the devices and serves until SIGTERM/SIGINT.
///
/// ```swift
/// var plugin = Plugin(metadata: .init(name: "simple", maintainer: "me"), version: .init(pluginVersion: "1.0"))
/// plugin.register(handler: DeviceHandler(name: "temperature", read: { _ in [Output.temperature.reading(.float64(21.5))] }))
/// try await plugin.run(flags: PluginFlags(), logger: Logger(label: "simple"))
/// ```
///
/// A complete plugin with its config files: `examples/plugins/` (`synse-example-plugin`).
public struct Plugin: Sendable {
  /// Served by `Metadata`; its name and maintainer make the plugin tag and so the IDs.
  public var metadata: PluginMetadata
  /// Served by `Version`.
  public var version: PluginVersion
  /// By ``DeviceHandler/name``; device configs refer to these.
  public private(set) var handlers: [String: DeviceHandler] = [:]
  /// By ``Output/name``: ``Output/builtIn`` plus registered ones.
  public private(set) var outputs: [String: Output] = Dictionary(uniqueKeysWithValues: Output.builtIn.map { ($0.name, $0) })
  /// By ``Transform/name`` for `apply:`; `FtoC` is built in.
  public private(set) var transforms: [String: Transform] = ["FtoC": .fahrenheitToCelsius]
  /// Run once per matching device after devices are built, before serving.
  public var setupActions: [SetupAction] = []
  /// Served by `Health` after the default queue checks.
  public var healthChecks: [HealthCheck] = []
  /// Replaces the default data component of device IDs (Go: `CustomDeviceIdentifier`).
  public var deviceIdentifier: @Sendable (ConfigValue) -> String = DeviceIdentifier.dataComponent
  /// Plugin config used beneath any file and environment (the plugin's own defaults).
  public var defaultPluginConfig: String?
  /// Device config files used when none are found, as (name, YAML text).
  public var defaultDeviceConfig: [(name: String, yaml: String)] = []
  /// Devices found at startup rather than configured (Go: `DynamicDeviceRegistrar`): called
  /// once per `dynamicRegistration.config` item, or once with an empty map when there is none.
  /// When set, a missing device config file is not an error.
  public var dynamicRegistrar: (@Sendable (ConfigValue) throws -> [DeviceConfig.Prototype])?
  /// How often the dynamic registrar runs again so devices that appear or disappear are
  /// picked up; nil: devices are fixed at startup.
  public var rescanInterval: Duration?
  /// Run by ``run(flags:loader:logger:)`` (and ``loadPrepared(loader:logger:)``) once the plugin
  /// config is loaded, before the devices are first built: for discovery that is asynchronous
  /// (services on the network), so that the synchronous ``dynamicRegistrar`` finds its results
  /// ready and the first device set has them. Startup waits for it, so bound its duration; a
  /// thrown error stops startup as a bad config does. The synchronous ``load(loader:logger:)``
  /// and ``build(config:deviceConfig:environment:logger:)`` do not run it.
  public var prepare: (@Sendable (PluginConfig) async throws -> Void)?
  /// Health checks that depend on the loaded config (one per `dynamicRegistration.config`
  /// item, named after it), served after ``healthChecks``; made when the runtime is built.
  public var configuredHealthChecks: (@Sendable (PluginConfig) -> [HealthCheck])?

  /// Creates a plugin with no handlers, the built-in outputs and `FtoC`.
  public init(metadata: PluginMetadata, version: PluginVersion) {
    self.metadata = metadata
    self.version = version
  }

  /// Registers a handler; one with the same name replaces the earlier one.
  public mutating func register(handler: DeviceHandler) {
    handlers[handler.name] = handler
  }

  /// Registers an output; a duplicate name is an error, as in the Go SDK.
  public mutating func register(output: Output) throws(ConfigError) {
    guard outputs[output.name] == nil else {
      throw ConfigError(.invalidValue, message: "an output named '\(output.name)' is already registered")
    }
    outputs[output.name] = output
  }

  /// Registers a transform for `apply:`; one with the same name replaces the earlier one.
  public mutating func register(transform: Transform) {
    transforms[transform.name] = transform
  }

  /// Loads plugin and device config through `loader` and builds the runtime.
  public func load(loader: ConfigLoader = ConfigLoader(), logger: Logger) throws(ConfigError) -> PluginRuntime {
    let loaded = try loadConfiguration(loader: loader, logger: logger)
    return try build(loaded, environment: loader.environment, logger: logger)
  }

  /// ``load(loader:logger:)`` with ``prepare`` run between loading the config and building the
  /// devices.
  ///
  /// - Throws: ``ConfigError`` for bad configuration, or what ``prepare`` throws.
  public func loadPrepared(loader: ConfigLoader = ConfigLoader(), logger: Logger) async throws -> PluginRuntime {
    let loaded = try loadConfiguration(loader: loader, logger: logger)
    if let prepare {
      do { try await prepare(loaded.config) } catch let error as ConfigError { throw Self.placed(error, in: loaded.configFiles) }
    }
    return try build(loaded, environment: loader.environment, logger: logger)
  }

  private func loadConfiguration(
    loader: ConfigLoader, logger: Logger
  ) throws(ConfigError) -> (config: PluginConfig, deviceConfig: DeviceConfig, configFiles: [String]) {
    let base = try defaultPluginConfig.map { text throws(ConfigError) in try YAMLReader.parse(text, file: "built-in default config") }
    let config = try loader.loadPluginConfig(base: base)
    // A config.yml/config.yaml found in the working directory is taken as the plugin's own,
    // whoever wrote it (a server's config beside it included): say which file it was.
    let configFiles = try loader.pluginConfigFiles()
    logger.info("loaded plugin config", metadata: ["files": "\(configFiles.isEmpty ? (base == nil ? "none" : "built-in default") : configFiles.joined(separator: ", "))"])
    for unknown in try loader.unknownPluginConfigKeys(base: base) { logger.warning("\(unknown)") }
    let files = try loader.deviceConfigFiles()
    var deviceConfig = try loader.loadDeviceConfig(files: files)
    if files.isEmpty && dynamicRegistrar == nil {
      guard !defaultDeviceConfig.isEmpty else {
        throw ConfigError(.missingFile, message: "no device config found: set PLUGIN_DEVICE_CONFIG or add files to ./config/device")
      }
      logger.info("no device config found; using the plugin's built-in device config")
      for (name, yaml) in defaultDeviceConfig {
        deviceConfig.devices += try DeviceConfig(tree: YAMLReader.parse(yaml, file: name), file: name).devices
      }
    } else {
      logger.info("loaded device config", metadata: ["files": "\(files)"])
    }
    return (config, deviceConfig, configFiles)
  }

  private func build(
    _ loaded: (config: PluginConfig, deviceConfig: DeviceConfig, configFiles: [String]), environment: [String: String], logger: Logger
  ) throws(ConfigError) -> PluginRuntime {
    do {
      return try build(config: loaded.config, deviceConfig: loaded.deviceConfig, environment: environment, logger: logger)
    } catch {
      throw Self.placed(error, in: loaded.configFiles)
    }
  }

  /// A registrar's or `prepare`'s bad `dynamicRegistration` setting with the plugin config file
  /// it is in (the last one read wins); any other error as it is.
  private static func placed(_ error: ConfigError, in configFiles: [String]) -> ConfigError {
    guard error.file == nil, error.key?.hasPrefix("dynamicRegistration.") == true else { return error }
    return ConfigError(error.code, file: configFiles.last ?? "built-in default config", key: error.key, message: error.message)
  }

  /// Builds the runtime from already loaded configuration.
  public func build(
    config: PluginConfig, deviceConfig: DeviceConfig, environment: [String: String] = ProcessInfo.processInfo.environment,
    logger: Logger
  ) throws(ConfigError) -> PluginRuntime {
    var plugin = self
    if let configuredHealthChecks { plugin.healthChecks += configuredHealthChecks(config) }
    let pluginID = try PluginIdentity.pluginID(tag: metadata.tag, settings: config.id, environment: environment)
    let builder = DeviceBuilder(
      pluginID: pluginID, pluginTag: metadata.tag, pluginName: metadata.name, handlers: handlers, outputs: outputs,
      transforms: transforms, environment: environment, identifier: deviceIdentifier)
    let registrar = dynamicRegistrar
    let setupActions = setupActions
    // `known`: devices already set up (a rescan runs setup actions for new devices only).
    let makeDevices: @Sendable (_ known: Set<String>) throws(ConfigError) -> [Device] = { (known: Set<String>) throws(ConfigError) -> [Device] in
      var deviceConfig = deviceConfig
      if let registrar {
        for (index, item) in (config.dynamicRegistration.isEmpty ? [.map([])] : config.dynamicRegistration).enumerated() {
          let result = Result { try registrar(item) }
          switch result {
          case .success(let prototypes): deviceConfig.devices += prototypes
          case .failure(let error as ConfigError) where error.file == nil && !config.dynamicRegistration.isEmpty:
            // The registrar names a key inside its item, or the item itself: say which item.
            throw error.inRegistrationItem(index)
          case .failure(let error as ConfigError): throw error
          case .failure(let error): throw ConfigError(.invalidDevice, message: "dynamic device registration failed: \(error)")
          }
        }
      }
      let devices = try builder.build(deviceConfig)
      for device in devices where !known.contains(device.id) {
        for setup in setupActions where setup.applies(to: device) {
          do {
            try setup.action(device)
          } catch {
            throw ConfigError(.invalidDevice, message: "setup action '\(setup.name)' failed for device \(device.id): \(error)")
          }
        }
      }
      return devices
    }
    let devices = try makeDevices([])
    var telemetry: Telemetry?
    if config.otelEnabled {
      do {
        telemetry = try Telemetry(serviceName: PluginRuntime.serviceName(metadata.name), attributes: ["synse.plugin.id": pluginID], environment: environment)
      } catch {
        throw ConfigError(.invalidValue, key: "otel.enabled", message: "OpenTelemetry cannot start: \(error)")
      }
    }
    return PluginRuntime(
      plugin: plugin, config: config, pluginID: pluginID, devices: DeviceManager(devices: devices), telemetry: telemetry,
      rescan: registrar != nil ? (config.rescanInterval ?? rescanInterval).map { ($0, makeDevices) } : nil, logger: logger)
  }
}

extension Plugin {
  /// Builds the runtime from the plugin's built-in configuration only, ignoring files and
  /// `PLUGIN_*` variables, without a health file: for embedding a plugin in another process.
  /// With `continuingTraces` (the host process exports traces), its gRPC calls continue the
  /// host's traces with the host's tracer.
  public func buildEmbedded(logger: Logger, continuingTraces: Bool = false) throws(ConfigError) -> PluginRuntime {
    let base = try defaultPluginConfig.map { text throws(ConfigError) in try YAMLReader.parse(text, file: "built-in default config") } ?? .map([])
    var config = try PluginConfig(tree: base, file: "built-in default config")
    config.health.healthFile = ""
    var deviceConfig = DeviceConfig(devices: [])
    for (name, yaml) in defaultDeviceConfig {
      deviceConfig.devices += try DeviceConfig(tree: YAMLReader.parse(yaml, file: name), file: name).devices
    }
    var runtime = try build(config: config, deviceConfig: deviceConfig, environment: [:], logger: logger)
    runtime.continuesTraces = continuingTraces
    return runtime
  }
}

extension Plugin {
  /// The defaults of a plugin whose devices come from peers it polls (BMCs, SNMP agents): the
  /// plugin config's network `tcp :port`, reads (each peer's poll) every 10 s, writes every 1 s,
  /// and a rescan every 30 s, at which peers that answered late become devices.
  public mutating func pollsPeers(port: Int) {
    defaultPluginConfig = """
      version: 3
      network: {type: tcp, address: ":\(port)"}
      settings: {read: {interval: 10s}, write: {interval: 1s}}
      """
    rescanInterval = .seconds(30)
  }
}
