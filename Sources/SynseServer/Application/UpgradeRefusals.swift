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
    let buffer = error.rawHTTPResponse(pretty: pretty)
    pending.withLock { $0[channel] = buffer }
  }

  /// The response kept for `channel`, forgotten once taken.
  static func take(_ channel: ObjectIdentifier) -> ByteBuffer? {
    pending.withLock { $0.removeValue(forKey: channel) }
  }
}

extension SynseError {
  /// The whole HTTP/1.1 response of this error (status, Synse JSON body, `WWW-Authenticate`,
  /// `Retry-After`, `Connection: close`) as bytes, for the answers written below Hummingbird.
  func rawHTTPResponse(pretty: Bool) -> ByteBuffer {
    let body = self.body.serializedBytes(pretty: pretty)
    let status = HTTPResponseStatus(statusCode: httpStatus)
    var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\nContent-Type: application/json\r\n"
    if let challenge { head += "WWW-Authenticate: \(challenge)\r\n" }
    if let retryAfter { head += "Retry-After: \(retryAfter)\r\n" }
    head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
    var buffer = ByteBuffer(string: head)
    buffer.writeBytes(body)
    return buffer
  }
}
