public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import NIOCore
import NIOSSL
public import Logging
public import ServiceLifecycle
public import SynseServerCore

/// Builds the HTTP application: routes, error middleware and the given background services.
///
/// ```swift
/// let app = buildApplication(commands: commands, configuration: config, host: "0.0.0.0", port: 5000,
///                            services: [connections, maintenance], metrics: nil, logger: logger)
/// try await app.runService()
/// ```
public func buildApplication(
  commands: Commands, configuration: SynseServerCore.ServerConfiguration, host: String, port: Int, services: [any Service],
  metrics: ServerMetrics? = nil, onServerRunning: @escaping @Sendable () async -> Void = {}, logger: Logger
) throws -> some ApplicationProtocol {
  let router = makeRouter(commands: commands, configuration: configuration, metrics: metrics, logger: logger)
  var server = HTTPServerBuilder.guardedWebSocketUpgrade(webSocketRouter: router, configuration: webSocketChannelConfiguration(configuration), limits: ConnectionLimits(configuration))
  if let tls = try serverTLS(configuration.ssl) {
    server = try .tls(server, tlsConfiguration: tls)
  }
  return Application(
    router: router,
    server: server,
    configuration: .init(address: .hostname(host, port: port), serverName: "synse-server"),
    services: services, onServerRunning: { _ in await onServerRunning() }, logger: logger)
}

/// The separate `/metrics` listener of `metrics.host`/`metrics.port`, or nil when metrics are
/// served on the API port.
public func buildMetricsApplication(
  commands: Commands, configuration: SynseServerCore.ServerConfiguration, metrics: ServerMetrics, webConfig: WebConfigStore? = nil,
  onServerRunning: @escaping @Sendable () async -> Void = {}, logger: Logger
) throws -> (some ApplicationProtocol)? {
  guard let port = configuration.metrics.port else { return nil as Application<RouterResponder<BasicRequestContext>>? }
  let router = Router(context: BasicRequestContext.self)
  let renderer = JSONRenderer(pretty: configuration.prettyJSON)
  let routes = RouteTable()
  // Its own refusals (unknown path, wrong method) are Synse JSON errors too, as on the API port.
  router.add(middleware: SynseErrorMiddleware(renderer: renderer, routes: routes))
  MetricsRoute(commands: commands, metrics: metrics, options: configuration.metrics, renderer: renderer, webConfig: webConfig).add(to: router)
  routes.fill(from: router)
  var server = HTTPServerBuilder.guardedHTTP1(idleTimeout: TimeAmount(configuration.http.idleTimeout), limits: ConnectionLimits(configuration, listener: "metrics"))
  if let tls = webConfig?.tlsConfiguration() {
    server = try .tls(server, tlsConfiguration: tls)
  }
  // The header and body timeouts, idle timeout and connection cap of the API port apply here too
  // (a cap of its own): a scraper port left open to slow clients would hold descriptors as well.
  return Application(
    router: router,
    server: server,
    configuration: .init(address: .hostname(configuration.metrics.host ?? "0.0.0.0", port: port), serverName: "synse-server-metrics"),
    onServerRunning: { _ in await onServerRunning() }, logger: logger)
}

/// HTTPS from `ssl.cert` (PEM, chain allowed) and `ssl.key`; with `ssl.client_ca`, a client
/// certificate is asked for and, when presented, must chain to one of those CAs (a client
/// without one still connects, to use a bearer token or `/test`).
func serverTLS(_ ssl: SynseServerCore.ServerConfiguration.SSL) throws -> TLSConfiguration? {
  guard let certificate = ssl.cert, let key = ssl.key else { return nil }
  let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
  var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
  tls.minimumTLSVersion = .tlsv12
  if let clientCA = ssl.clientCA {
    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
    tls.certificateVerification = .optionalVerification
  }
  return tls
}

/// Every route, the metrics and error middleware, and the WebSocket endpoint.
func makeRouter(
  commands: Commands, configuration: SynseServerCore.ServerConfiguration, metrics: ServerMetrics?, logger: Logger
) -> Router<SynseRequestContext> {
  let renderer = JSONRenderer(pretty: configuration.prettyJSON)
  let router = Router(context: SynseRequestContext.self)
  let routes = RouteTable()
  let authenticator = Authenticator(configuration: configuration)
  // Middleware applies to the routes added after it, so it goes first; metrics outermost,
  // to see the status and body the error middleware produces; authentication inside the error
  // middleware, whose 401/403 bodies it throws.
  // Outermost: the request's span covers everything below, errors and authentication too.
  if configuration.otel.enabled { router.add(middleware: RequestTracing()) }
  if let metrics { router.add(middleware: MetricsMiddleware(metrics: metrics)) }
  router.add(middleware: SynseErrorMiddleware(renderer: renderer, routes: routes))
  router.add(middleware: AuthMiddleware(authenticator: authenticator, audit: commands.audit, prettyJSON: configuration.prettyJSON))
  CoreRoutes(commands: commands, renderer: renderer).add(to: router)
  V3Routes(commands: commands, renderer: renderer, maxBodySize: configuration.http.maxBodySize).add(to: router)
  if let metrics, configuration.metrics.port == nil {
    MetricsRoute(commands: commands, metrics: metrics, options: configuration.metrics, renderer: renderer).add(to: router)
  }
  let connection = WebSocketConnection(
    commands: commands, logger: logger, messageLimit: configuration.http.maxBodySize, metrics: metrics, authenticator: authenticator)
  // A plain GET (no upgrade) gets a 400 error body (docs/api-v3.md §1.3) instead of an empty 200.
  router.ws("v3/connect") { request, _ in
    guard request.headers[.upgrade]?.lowercased() == "websocket" else {
      throw SynseError.invalidUsage(
        "/v3/connect is the WebSocket API: send a WebSocket upgrade request (GET with Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Key and Sec-WebSocket-Version: 13)")
    }
    return .upgrade([:])
  } onUpgrade: { inbound, outbound, context in
    let source = context.requestContext.clientIP
    metrics?.websocketSession(source: source, opened: true)
    defer { metrics?.websocketSession(source: source, opened: false) }
    try await connection.opened(by: context.requestContext.callerOrAnonymous).run(inbound: inbound, outbound: outbound)
  }
  routes.fill(from: router)
  return router
}

func webSocketChannelConfiguration(_ configuration: SynseServerCore.ServerConfiguration) -> HTTP1WebSocketUpgradeChannel.Configuration {
  .init(
    http1: .init(idleTimeout: TimeAmount(configuration.http.idleTimeout)),
    ws: .init(maxFrameSize: WebSocketConnection.frameLimit(messageLimit: configuration.http.maxBodySize)))
}
