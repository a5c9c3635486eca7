import ArgumentParser
import EmulatorPlugin
import Foundation
import GRPCInProcessTransport
import Logging
import ServiceLifecycle
import SynseSDK
import SynseServer
import SynseServerCore
import Systemd
import UnixSignals

/// `synse-server --config FILE --host H --port P`: flags win over the file and `SYNSE_*`.
@main
struct SynseServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "synse-server", abstract: "The Synse v3 HTTP API server.")

  @Option(help: "Configuration file (default: ./config.yml, ./config.yaml, /etc/synse/server/config.{yml,yaml}).")
  var config: String?
  @Option(help: "Address to listen on (default: the `host` key, 0.0.0.0).") var host: String?
  @Option(help: "Port to listen on (default: the `port` key, 5000).") var port: Int?

  func run() async throws {
    let configuration: ServerConfiguration
    do {
      configuration = try ServerConfiguration.load(path: config, environment: ProcessInfo.processInfo.environment)
    } catch {
      FileHandle.standardError.write(Data("synse-server: \(error)\n".utf8))
      throw ExitCode(2)
    }
    let level = configuration.logging
    let logLevel: Logger.Level = switch level {
    case .debug: .debug
    case .info: .info
    case .warning: .warning
    case .error: .error
    case .critical: .critical
    }
    // Under systemd, stderr is the journal: log to it directly with structured fields.
    let toJournal = JournalLogHandler.stderrIsJournal()
    LoggingSystem.bootstrap { label in
      if toJournal {
        var handler = JournalLogHandler(label: label, identifier: "synse-server")
        handler.logLevel = logLevel
        return handler
      }
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = logLevel
      return handler
    }
    let logger = Logger(label: "synse-server")
    for key in configuration.unknownKeys {
      logger.warning("configuration key '\(key)' is not one synse-server knows; it is ignored")
    }
    let host = self.host ?? configuration.host
    let port = self.port ?? configuration.port

    var embedded: [String: InProcessTransport.Client] = [:]
    var embeddedServices: [any Service] = []
    for name in configuration.embeddedPlugins {
      guard name == "emulator" else {
        logger.critical("unknown embedded plugin '\(name)' in plugin.embedded (known: emulator)")
        throw ExitCode(2)
      }
      let transport = InProcessTransport()
      let runtime = try EmulatorPlugin.make().buildEmbedded(logger: Logger(label: "embedded-emulator"))
      embedded[name] = transport.client
      embeddedServices.append(EmbeddedPlugin(runtime: runtime, transport: transport))
    }

    var statsd: [StatsDMetricsFactory] = []
    if configuration.metricsEnabled, let address = configuration.metrics.statsdAddress {
      guard let factory = StatsDMetricsFactory(address: address, prefix: configuration.metrics.statsdPrefix) else {
        logger.critical("metrics.statsd.address '\(address)' is not a reachable host:port")
        throw ExitCode(2)
      }
      statsd.append(factory)
    }
    let metrics = configuration.metricsEnabled ? ServerMetrics(ipLabel: configuration.metrics.ipLabel, additionalFactories: statsd) : nil
    let connections = PluginConnections()
    let registry = PluginRegistry(configuration: configuration, embedded: embedded, connections: connections, logger: logger, metrics: metrics)
    let devices = DeviceCache(logger: logger, metrics: metrics)
    let commands = Commands(
      configuration: configuration, registry: registry, devices: devices,
      transactions: TransactionCache(ttl: configuration.transactionTTL), logger: logger)
    let maintenance = PluginMaintenance(registry: registry, devices: devices, configuration: configuration, logger: logger)
    let (listening, listeningContinuation) = AsyncStream<Void>.makeStream()
    let app: any Service
    let listened = ListeningFlag()
    // Under systemd socket activation the listener is inherited; --host/--port are unused then.
    let inherited = SocketActivation.takeListeningSockets().first { SocketActivation.isListeningStreamSocket($0.descriptor) }
    do {
      if let inherited {
        app = try buildSocketActivatedServer(
          descriptor: inherited.descriptor, commands: commands, configuration: configuration, metrics: metrics,
          onServerRunning: { listened.set(); listeningContinuation.yield() }, logger: logger)
      } else {
        app = try buildApplication(
          commands: commands, configuration: configuration, host: host, port: port,
          services: [], metrics: metrics, onServerRunning: { listened.set(); listeningContinuation.yield() }, logger: logger)
      }
    } catch {
      logger.critical("cannot set up HTTPS from ssl.cert/ssl.key: \(error)")
      throw ExitCode(2)
    }
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = embeddedServices.map { .init(service: $0) }
    let address = inherited.map { "socket fd \($0.descriptor)" } ?? "\(host):\(port)"
    services += [.init(service: connections), .init(service: maintenance), .init(service: ListenerService(app, address: address, listening: listened))]
    var listeners = 1
    if let metrics {
      let metricsListened = ListeningFlag()
      if let metricsApp = buildMetricsApplication(
        commands: commands, configuration: configuration, metrics: metrics,
        onServerRunning: { metricsListened.set(); listeningContinuation.yield() }, logger: logger) {
        let metricsAddress = "\(configuration.metrics.host ?? "0.0.0.0"):\(configuration.metrics.port ?? 0)"
        services.append(.init(service: ListenerService(metricsApp, address: metricsAddress, listening: metricsListened)))
        listeners += 1
      }
    }
    let readiness = SystemdReadiness(listening: listening, listeners: listeners, registry: registry, devices: devices, address: address, logger: logger)
    services.append(.init(service: readiness, successTerminationBehavior: .ignore))
    // Last, so that graceful shutdown (in reverse order) starts its clock first.
    services.append(.init(service: ShutdownDeadline(limit: .seconds(8), logger: logger), successTerminationBehavior: .ignore))
    let group = ServiceGroup(
      configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    do {
      try await group.run()
    } catch let error as ListenError {
      // The group has logged it too; this line is the one a newcomer reads.
      FileHandle.standardError.write(Data("synse-server: \(error)\n".utf8))
      throw ExitCode(1)
    }
  }
}

/// A plugin served in this process over an in-process gRPC transport.
struct EmbeddedPlugin: Service {
  let runtime: PluginRuntime
  let transport: InProcessTransport

  func run() async throws {
    try await runtime.serveInProcess(transport)
  }
}
