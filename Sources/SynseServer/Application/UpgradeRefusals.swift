import NIOCore
import NIOHTTP1
import Synchronization
import SynseServerCore

/// The answers to WebSocket upgrade requests that authentication refused, by connection, until
/// ``MalformedRequestGuard`` writes them. hummingbird-websocket 2.8.1 turns any refused upgrade
/// into NIO's bare `400 Bad Request` (no body, no challenge); a client must see the 401 or 403
/// with its Synse JSON body and `WWW-Authenticate`, as on every other route.
enum UpgradeRefusals {
  private static let pending = Mutex<[ObjectIdentifier: ByteBuffer]>([:])

  /// Keeps `error`'s response for the connection `channel`.
  static func record(_ error: SynseError, channel: ObjectIdentifier, pretty: Bool) {
    let body = error.body.serializedBytes(pretty: pretty)
    let status = HTTPResponseStatus(statusCode: error.httpStatus)
    var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\nContent-Type: application/json\r\n"
    if let challenge = error.challenge { head += "WWW-Authenticate: \(challenge)\r\n" }
    head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
    var buffer = ByteBuffer(string: head)
    buffer.writeBytes(body)
    pending.withLock { $0[channel] = buffer }
  }

  /// The response kept for `channel`, forgotten once taken.
  static func take(_ channel: ObjectIdentifier) -> ByteBuffer? {
    pending.withLock { $0.removeValue(forKey: channel) }
  }
}
