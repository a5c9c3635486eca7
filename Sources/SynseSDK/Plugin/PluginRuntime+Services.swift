import GRPCCore
import Logging
public import ServiceLifecycle
import Synchronization
import SynseTelemetry
import Systemd

extension PluginRuntime {
  /// A plugin process's services, in start order: the plugin serving on the listening
  /// socket systemd passed (socket activation) if there is one, else on the configured
  /// address; then systemd notification (``Systemd/SystemdNotifier``: `READY=1` with
  /// `STATUS=serving <n> devices on <address>` once it listens, watchdog pings while the
  /// read loop keeps completing passes, `STOPPING=1`).
  ///
  /// - Throws: ``ConfigError`` when there is neither a passed socket nor a network config.
  public func services() throws(ConfigError) -> [ServiceGroupConfiguration.ServiceConfiguration] {
    let socket = SocketActivation.takeListeningSockets().first { SocketActivation.isListeningStreamSocket($0.descriptor) }
    let address = try socket == nil ? address() : nil
    let bound = Mutex<String>("")
    let (listening, listened) = AsyncStream<Void>.makeStream()
    let onListening: @Sendable (String) -> Void = { name in
      bound.withLock { $0 = name }
      listened.yield()
    }
    let serving = PluginServing(name: "synse.V3Plugin \(pluginID)") { [self] in
      if let socket {
        try await serve(listeningDescriptor: socket.descriptor, onListening: onListening)
      } else if let address {
        try await serve(at: address, onListening: onListening)
      }
    }
    let devices = self.devices
    let scheduler = self.scheduler
    let systemd = SystemdNotifier(
      logger: logger,
      ready: { await SystemdNotifier.listenersUp(listening, count: 1) },
      status: { "serving \(devices.devices.count) devices on \(bound.withLock { $0 })" },
      // A wedged read loop stops the pings, so systemd restarts the plugin.
      isAlive: { timeout in !scheduler.readLoopEnabled || scheduler.lastPass.isRecent(within: timeout) })
    return [.init(service: serving), .init(service: systemd, successTerminationBehavior: .ignore)]
  }

  /// The plugin's parts over `transport`, in start order; graceful shutdown runs in reverse:
  /// the gRPC server stops taking calls (streams are ended) before the loops finish, so
  /// every write it accepted is still carried out.
  func services<Transport: ServerTransport>(
    transport: Transport, whenListening: @escaping @Sendable () async throws -> Void
  ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
    var parts = [PluginServing(name: "health checks", run: monitorHealth)]
    // Exporters first: they stop last, and send what the others logged and traced on the way out.
    let exporters: [ServiceGroupConfiguration.ServiceConfiguration] = (telemetry?.services ?? []).map { .init(service: $0) }
    if let metrics {
      let address = config.metricsAddress
      parts.append(PluginServing(name: "metrics on \(address)") { try await serveMetrics(metrics, at: address) })
    }
    if let rescan {
      parts.append(PluginServing(name: "device rescan") { await rescanDevices(every: rescan.interval, rescan.makeDevices) })
    }
    parts.append(PluginServing(name: "read and write loops", run: scheduler.run))
    // Loops that have nothing to do return at once; that must not stop the others.
    var services = exporters + parts.map { .init(service: $0, successTerminationBehavior: .ignore) }
    var interceptors: [any ServerInterceptor] = continuesTraces ? [TracingServerInterceptor()] : []
    if let metrics { interceptors.append(PluginMetricsInterceptor(metrics: metrics)) }
    let server = GRPCServer(transport: transport, services: [service], interceptors: interceptors)
    let readings = self.readings
    let grpc = PluginServing(name: "gRPC server") {
      try await withGracefulShutdownHandler {
        try await withThrowingDiscardingTaskGroup { group in
          group.addTask { try await server.serve() }
          try await whenListening()
        }
      } onGracefulShutdown: {
        server.beginGracefulShutdown()
        readings.finishSubscribers()
      }
    }
    // Before the other parts, so that it stops after them (a service group stops its services
    // in reverse order, each after the last has returned): while the write loop finishes the
    // writes it took, callers can still ask how they ended.
    services.insert(.init(service: grpc, successTerminationBehavior: .gracefullyShutdownGroup), at: exporters.count)
    return services
  }
}

/// One part of a plugin as a `Service`, named for the service group's log.
struct PluginServing: Service, CustomStringConvertible {
  let name: String
  let run: @Sendable () async throws -> Void

  func run() async throws { try await run() }
  var description: String { name }
}
