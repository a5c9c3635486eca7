import Foundation
import Hummingbird
import SynseServerCore

/// `GET /metrics` in the Prometheus text format, behind basic auth or a bearer token when
/// configured. Added only when metrics are enabled (otherwise the path is a 404).
struct MetricsRoute<Context: RequestContext> {
  let commands: Commands
  let metrics: ServerMetrics
  let options: MetricsOptions

  func add(to router: Router<Context>) {
    router.get("metrics") { request, _ -> Response in
      guard authorized(request) else {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = options.token != nil ? #"Bearer realm="synse metrics""# : #"Basic realm="synse metrics""#
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "unauthorized\n")))
      }
      let body = await commands.metricsExposition(metrics)
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
  }

  func authorized(_ request: Request) -> Bool {
    guard options.token != nil || options.username != nil else { return true }
    // The scheme is case-insensitive (RFC 7235 §2.1): `bearer x` is `Bearer x`.
    let header = request.headers[.authorization] ?? ""
    guard let space = header.firstIndex(of: " ") else { return false }
    let scheme = header[..<space].lowercased()
    let credentials = header[header.index(after: space)...].trimmingCharacters(in: .whitespaces)
    if let token = options.token, scheme == "bearer", credentials == token { return true }
    if let username = options.username, let password = options.password, scheme == "basic",
       credentials == Data("\(username):\(password)".utf8).base64EncodedString() {
      return true
    }
    return false
  }
}
