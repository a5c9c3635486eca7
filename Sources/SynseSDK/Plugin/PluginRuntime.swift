import Synchronization
import Foundation
import GRPCCore
public import GRPCInProcessTransport
import GRPCNIOTransportHTTP2
import Logging
import SynseTelemetry
import ServiceLifecycle
import SynseProtocol
import Systemd

/// A built plugin: its devices, state, loops and gRPC service, ready to serve.
///
/// Run it as a process with ``services()`` (serving on its configured network, plus
/// systemd notification) in a `ServiceGroup`; or serve it with ``serve(at:onListening:)``,
/// or in the same process with ``serveInProcess(_:)``, which is how Synse Server embeds a
/// plugin without a socket while still speaking the gRPC API. Either way the plugin's
/// parts (gRPC server, read/write loops, health checks, metrics, rescans) run as one
/// `ServiceGroup` (``services(transport:whenListening:)``).
public struct PluginRuntime: Sendable {
  public let config: PluginConfig
  public let pluginID: String
  public let devices: DeviceManager
  let service: PluginService
  let scheduler: Scheduler
  let health: HealthMonitor
  let readings: ReadingState
  let logger: Logger
  let rescan: (interval: Duration, makeDevices: @Sendable (Set<String>) throws(ConfigError) -> [Device])?
  let metrics: PluginMetrics?
  /// OTLP export (`otel.enabled`), started by ``Plugin/build(config:deviceConfig:environment:logger:)``.
  let telemetry: Telemetry?
  /// Whether gRPC calls continue the caller's trace (a server span per call, the handlers'
  /// spans under it): with the plugin's own telemetry, or when embedded in a process whose
  /// tracer is bootstrapped (``Plugin/buildEmbedded(logger:continuingTraces:)``).
  var continuesTraces: Bool

  init(
    plugin: Plugin, config: PluginConfig, pluginID: String, devices: DeviceManager,
    telemetry: Telemetry? = nil, rescan: (interval: Duration, makeDevices: @Sendable (Set<String>) throws(ConfigError) -> [Device])? = nil,
    logger: Logger
  ) {
    self.rescan = rescan
    self.config = config
    self.pluginID = pluginID
    self.devices = devices
    self.logger = logger
    let readings = ReadingState(cacheTTL: config.cacheEnabled ? config.cacheTTL : nil)
    let transactions = TransactionStore(ttl: config.transactionTTL)
    if let telemetry {
      DeferredLogs.install(telemetry.logHandler)
      telemetry.bootstrapTracing()
    }
    self.telemetry = telemetry
    continuesTraces = telemetry != nil
    let metrics = config.metricsEnabled ? PluginMetrics() : nil
    self.metrics = metrics
    if let metrics {
      transactions.onFinal = { status in metrics.transactionFinished(status == .done ? "DONE" : "ERROR") }
      metrics.devices(devices.devices.count)
    }
    let writeQueue = WriteQueue(capacity: config.write.queueSize)
    var checks: [HealthCheck] = []
    if !config.health.disableDefaultChecks {
      // Readings go straight into the state without a queue, so this check cannot fail; it
      // is kept so the check list matches the Go SDK's.
      checks.append(HealthMonitor.queueCheck(name: "read queue health", count: { 0 }, capacity: config.read.queueSize))
      checks.append(HealthMonitor.queueCheck(name: "write queue health", count: { writeQueue.count }, capacity: config.write.queueSize))
    }
    checks += plugin.healthChecks
    let health = HealthMonitor(checks: checks)
    self.health = health
    self.readings = readings
    self.scheduler = Scheduler(
      config: config, devices: devices, handlers: plugin.handlers, readings: readings, transactions: transactions,
      writeQueue: writeQueue, metrics: metrics, logger: logger)
    self.service = PluginService(
      metadata: plugin.metadata, version: plugin.version, pluginID: pluginID, devices: devices, handlers: plugin.handlers,
      readings: readings, transactions: transactions, writeQueue: writeQueue, health: health,
      writingEnabled: scheduler.writeLoopEnabled, metrics: metrics, logger: logger)
  }

  /// The configured listen address.
  public func address() throws(ConfigError) -> PluginAddress {
    guard let network = config.network else {
      throw ConfigError(.missingValue, key: "network", message: "no network configured: set network.type and network.address (or PLUGIN_NETWORK_TYPE and PLUGIN_NETWORK_ADDRESS)")
    }
    return try PluginAddress(network)
  }

  /// Serves on an already bound, listening socket (systemd socket activation);
  /// `onListening` receives the bound address.
  public func serve(listeningDescriptor descriptor: Int32, onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
    let security = config.network?.transportSecurity ?? .plaintext
    let transport = HTTP2ServerTransport.Posix(listeningSocketDescriptor: Int(descriptor), transportSecurity: security)
    try await serve(transport: transport) {
      // On failure the server's own error (the cause) ends the group.
      guard let bound = try? await transport.listeningAddress else { return }
      announceServing(at: "\(bound)", how: "socket-activated fd \(descriptor)")
      onListening("\(bound)")
    }
  }

  /// Serves on `address` until graceful shutdown; `onListening` receives the bound address
  /// (useful with port 0).
  public func serve(at address: PluginAddress, onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
    if case .unix(let path) = address { try prepareSocket(path) }
    defer { if case .unix(let path) = address { try? FileManager.default.removeItem(atPath: path) } }
    let security = config.network?.transportSecurity ?? .plaintext
    let transport = HTTP2ServerTransport.Posix(address: address.socketAddress, transportSecurity: security)
    let listening = ListeningFlag()
    do {
      try await serve(transport: transport) {
        // On failure the server's own error ("Address already in use") ends the group;
        // the listening address only says "no listening address bound".
        guard let address = try? await transport.listeningAddress else { return }
        let bound = "\(address)"
        listening.set()
        announceServing(at: bound, how: "listening")
        onListening(bound)
      }
    } catch where !listening.isSet {
      // grpc-swift says "bind(…): Address already in use" or "no listening address bound";
      // the operator needs the address from the config.
      throw PluginListenError(address: "\(address)", underlying: error)
    }
  }

  private func announceServing(at address: String, how: String) {
    logger.info("serving synse.V3Plugin", metadata: ["address": "\(address)", "plugin": "\(pluginID)", "devices": "\(devices.devices.count)", "socket": "\(how)"])
  }

  /// Serves over an in-process transport; connect a `GRPCClient` to `transport.client`.
  /// Embedded in another process, which owns the conversation with systemd.
  public func serveInProcess(_ transport: InProcessTransport) async throws {
    try await serve(transport: transport.server) {}
  }

  private func serve<Transport: ServerTransport>(
    transport: Transport, whenListening: @escaping @Sendable () async throws -> Void
  ) async throws {
    let group = ServiceGroup(configuration: .init(services: services(transport: transport, whenListening: whenListening), logger: logger))
    try await group.run()
  }

  /// Runs device discovery again at `interval`; devices that appeared or vanished are
  /// added or dropped (IDs are deterministic, so unchanged devices keep theirs).
  func rescanDevices(every interval: Duration, _ makeDevices: @Sendable (Set<String>) throws(ConfigError) -> [Device]) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
      try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
      guard !Task.isShuttingDownGracefully && !Task.isCancelled else { return }
      do {
        let fresh = try makeDevices(Set(devices.devices.map(\.id)))
        let (added, removed) = devices.replace(with: fresh)
        metrics?.devices(fresh.count)
        if !added.isEmpty || !removed.isEmpty {
          // Counts, and the IDs only while few: a BMC coming up adds hundreds at once.
          func ids(_ list: [String]) -> String { list.count <= 10 ? "\(list)" : "\(list.count) devices (IDs at debug level)" }
          logger.info("device rescan changed the device set", metadata: ["added": "\(ids(added))", "removed": "\(ids(removed))", "devices": "\(fresh.count)"])
          if added.count > 10 || removed.count > 10 {
            logger.debug("device rescan IDs", metadata: ["added": "\(added)", "removed": "\(removed)"])
          }
        }
      } catch {
        logger.error("device rescan failed; keeping the current devices", metadata: ["error": "\(error)"])
      }
    }
  }

  /// Evaluates each check at its interval and maintains the health file.
  func monitorHealth() async {
    let healthFile = config.health.healthFile
    if !healthFile.isEmpty {
      do {
        try FileManager.default.createDirectory(atPath: (healthFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      } catch {
        logger.warning("cannot create the health file's directory; health file disabled", metadata: ["file": "\(healthFile)", "error": "\(error)"])
      }
    }
    await withDiscardingTaskGroup { group in
      for index in health.checks.indices {
        group.addTask {
          while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await health.evaluate(index)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: health.checks[index].interval) }
          }
        }
      }
      if !healthFile.isEmpty {
        group.addTask {
          while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if health.isHealthy {
              try? Data("ok".utf8).write(to: URL(fileURLWithPath: healthFile))
            } else {
              try? FileManager.default.removeItem(atPath: healthFile)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: config.health.updateInterval) }
          }
        }
      }
    }
  }

  /// Creates the socket directory and removes a stale socket, as the Go SDK does.
  private func prepareSocket(_ path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
  }
}

private final class ListeningFlag: Sendable {
  private let value = Mutex(false)
  func set() { value.withLock { $0 = true } }
  var isSet: Bool { value.withLock { $0 } }
}

/// The plugin could not listen where its config says (a taken port, a missing directory).
public struct PluginListenError: Error, CustomStringConvertible {
  public let address: String
  public let underlying: any Error
  public var description: String { "cannot listen on \(address): \(underlying)" }

}

extension PluginRuntime {
  /// `service.name` for a plugin named `name`: `synse-<name>-plugin` as its executable is
  /// called ("emulator plugin" → `synse-emulator-plugin`); `OTEL_SERVICE_NAME` wins.
  static func serviceName(_ name: String) -> String {
    var base = name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
    if base.hasSuffix("-plugin") { base.removeLast("-plugin".count) }
    if base == "plugin" || base.isEmpty { base = "unnamed" }
    return "synse-\(base)-plugin"
  }
}
