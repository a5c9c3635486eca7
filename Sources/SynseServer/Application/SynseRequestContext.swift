import Hummingbird
import HummingbirdWebSocket
import NIOCore
import SynseServerCore

/// The request context of every route: WebSocket upgrades, plus the client's address for
/// the optional `ip` metrics label and the WebSocket session gauge, and the authenticated caller.
struct SynseRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext, AuthenticatedRequestContext {
  var coreContext: CoreRequestContextStorage
  let webSocket: WebSocketHandlerReference<Self>
  let remoteAddress: SocketAddress?
  /// Who sent the request, set by ``AuthMiddleware`` when authentication is on.
  var caller: Caller?
  let connection: ObjectIdentifier?
  let channel: any Channel

  init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    webSocket = .init()
    remoteAddress = source.channel.remoteAddress
    connection = ObjectIdentifier(source.channel)
    channel = source.channel
  }

  func clientCertificate() async -> ClientCertificateNames? { await ClientCertificateNames.of(channel) }

  /// The client IP as text ("" when unknown, e.g. over a Unix socket).
  var clientIP: String { remoteAddress?.ipAddress ?? "" }
}
