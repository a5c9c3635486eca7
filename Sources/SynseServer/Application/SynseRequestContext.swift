import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every route: WebSocket upgrades, plus the client's address for
/// the optional `ip` metrics label and the WebSocket session gauge.
struct SynseRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
  var coreContext: CoreRequestContextStorage
  let webSocket: WebSocketHandlerReference<Self>
  let remoteAddress: SocketAddress?

  init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    webSocket = .init()
    remoteAddress = source.channel.remoteAddress
  }

  /// The client IP as text ("" when unknown, e.g. over a Unix socket).
  var clientIP: String { remoteAddress?.ipAddress ?? "" }
}
