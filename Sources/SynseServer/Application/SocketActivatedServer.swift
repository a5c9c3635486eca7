import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
public import Logging
import NIOCore
import NIOExtras
import NIOPosix
public import ServiceLifecycle
public import SynseServerCore

/// The HTTP/WebSocket server on a listening socket inherited from systemd (socket
/// activation): the same routes and child channels as ``buildApplication``, accepted from the
/// given descriptor, because Hummingbird's `Application` can only bind addresses itself.
public func buildSocketActivatedServer(
  descriptor: Int32, commands: Commands, configuration: SynseServerCore.ServerConfiguration, metrics: ServerMetrics? = nil,
  onServerRunning: @escaping @Sendable () async -> Void = {}, logger: Logger
) throws -> any Service {
  let router = makeRouter(commands: commands, configuration: configuration, metrics: metrics, logger: logger)
  let routerResponder = router.buildResponder()
  let responder: HTTPChannelHandler.Responder = { request, responseWriter, channel in
    let context = SynseRequestContext(source: .init(channel: channel, logger: logger))
    var response: Response
    do {
      response = try await routerResponder.respond(to: request, context: context)
    } catch let error as any HTTPResponseError {
      response = try error.response(from: request, context: context)
    } catch {
      response = Response(status: .internalServerError)
    }
    response.headers[.server] = "synse-server"
    try await responseWriter.write(response: response.head, body: response.body)
  }
  let plain = MalformedRequestGuard(
    base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: routerResponder, configuration: webSocketChannelConfiguration(configuration)),
    limits: ConnectionLimits(configuration))
  if let tls = try serverTLS(configuration.ssl) {
    let secure = try TLSChannel(plain, tlsConfiguration: tls)
    return InheritedSocketServer(descriptor: descriptor, childChannel: secure, onServerRunning: onServerRunning, logger: logger)
  }
  return InheritedSocketServer(descriptor: descriptor, childChannel: plain, onServerRunning: onServerRunning, logger: logger)
}

/// Accepts connections on an already listening socket until graceful shutdown, which stops
/// accepting and lets open connections finish (idle keep-alive ones are closed).
struct InheritedSocketServer<ChildChannel: ServerChildChannel>: Service {
  let descriptor: Int32
  let childChannel: ChildChannel
  let onServerRunning: @Sendable () async -> Void
  let logger: Logger

  func run() async throws {
    let group = MultiThreadedEventLoopGroup.singleton
    let quiescing = ServerQuiescingHelper(group: group)
    let childChannel = self.childChannel
    let logger = self.logger
    let server = try await ServerBootstrap(group: group)
      .serverChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
        }
      }
      .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
      .bind(NIOBSDSocket.Handle(descriptor)) { channel in childChannel.setup(channel: channel, logger: logger) }
    logger.info("serving on the socket passed by systemd", metadata: ["fd": "\(descriptor)", "address": "\(server.channel.localAddress.map { "\($0)" } ?? "?")"])
    await onServerRunning()
    await withGracefulShutdownHandler {
      await withDiscardingTaskGroup { connections in
        do {
          try await server.executeThenClose { inbound in
            for try await value in inbound {
              connections.addTask { await childChannel.handle(value: value, logger: logger) }
            }
          }
        } catch {
          logger.error("accepting connections failed", metadata: ["error": "\(error)"])
        }
      }
    } onGracefulShutdown: {
      quiescing.initiateShutdown(promise: nil)
    }
  }
}
