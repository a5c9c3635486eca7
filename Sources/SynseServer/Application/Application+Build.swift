public import Hummingbird
import HummingbirdWebSocket
public import Logging
public import ServiceLifecycle
public import SynseServerCore

/// Builds the HTTP application: routes, error middleware and the given background services.
///
/// ```swift
/// let app = buildApplication(commands: commands, configuration: config, host: "0.0.0.0", port: 5000,
///                            services: [connections, maintenance], logger: logger)
/// try await app.runService()
/// ```
public func buildApplication(
  commands: Commands, configuration: ServerConfiguration, host: String, port: Int, services: [any Service], logger: Logger
) -> some ApplicationProtocol {
  let renderer = JSONRenderer(pretty: configuration.prettyJSON)
  let router = Router(context: BasicWebSocketRequestContext.self)
  let routes = RouteTable()
  // Middleware applies to the routes added after it, so it goes first.
  router.add(middleware: SynseErrorMiddleware(renderer: renderer, routes: routes))
  CoreRoutes(commands: commands, renderer: renderer).add(to: router)
  V3Routes(commands: commands, renderer: renderer, maxBodySize: configuration.maxBodySize).add(to: router)
  let connection = WebSocketConnection(commands: commands, logger: logger, messageLimit: configuration.maxBodySize)
  router.ws("v3/connect") { _, _ in .upgrade([:]) } onUpgrade: { inbound, outbound, _ in
    try await connection.run(inbound: inbound, outbound: outbound)
  }
  routes.fill(from: router)
  return Application(
    router: router, server: .http1WebSocketUpgrade(
      webSocketRouter: router, configuration: .init(ws: .init(maxFrameSize: WebSocketConnection.frameLimit(messageLimit: configuration.maxBodySize)))),
    configuration: .init(address: .hostname(host, port: port), serverName: "synse-server"),
    services: services, logger: logger)
}
