import Logging
import ServiceLifecycle
import SynseServer
import SynseServerCore
import Systemd

/// The HTTP listeners: the API (on the socket systemd passed, if any, else `host:port`) and
/// `/metrics` on its own port when `metrics.port` is set. Each yields one element on
/// `listening` once it is up.
struct Listeners {
  let services: [ListenerService]
  let listening: AsyncStream<Void>
  /// Where the API is served: `host:port` or `socket fd N`.
  let address: String

  /// - Throws: ``SynseServerFailure`` (exit 2, logged) when `ssl.cert`/`ssl.key` cannot be read.
  init(
    commands: Commands, configuration: ServerConfiguration, host: String, port: Int, metrics: ServerMetrics?, logger: Logger
  ) throws(SynseServerFailure) {
    let (listening, listeningContinuation) = AsyncStream<Void>.makeStream()
    self.listening = listening
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
      throw SynseServerFailure(exitCode: 2)
    }
    address = inherited.map { "socket fd \($0.descriptor)" } ?? "\(host):\(port)"
    var services = [ListenerService(app, address: address, listening: listened)]
    if let metrics {
      let metricsListened = ListeningFlag()
      do {
        let webConfig = try configuration.metrics.webConfigFile.map { path throws(WebConfigError) in try WebConfigStore(path: path, logger: logger) }
        if let metricsApp = try buildMetricsApplication(
          commands: commands, configuration: configuration, metrics: metrics, webConfig: webConfig,
          onServerRunning: { metricsListened.set(); listeningContinuation.yield() }, logger: logger) {
          let metricsAddress = "\(configuration.metrics.host ?? "0.0.0.0"):\(configuration.metrics.port ?? 0)"
          services.append(ListenerService(metricsApp, address: metricsAddress, listening: metricsListened))
        }
      } catch {
        logger.critical("cannot set up the /metrics listener from metrics.web_config_file: \(error)")
        throw SynseServerFailure(exitCode: 2)
      }
    }
    self.services = services
  }
}
