import Foundation
import HTTPTypes
import Hummingbird
import SynseServerCore

/// `GET /metrics` in the Prometheus text format, behind basic auth or a bearer token when
/// configured. Added only when metrics are enabled (otherwise the path is a 404). A missing
/// or wrong credential gets 401 with `WWW-Authenticate` and the Synse JSON error body, like
/// every other error of the server.
struct MetricsRoute<Context: RequestContext> {
  let commands: Commands
  let metrics: ServerMetrics
  let options: MetricsOptions
  let renderer: JSONRenderer
  /// `metrics.web_config_file` on the separate listener: its users and security headers.
  var webConfig: WebConfigStore?

  func add(to router: Router<Context>) {
    router.get("metrics") { request, _ -> Response in
      var response = await respond(request)
      for (name, value) in webConfig?.config.headers ?? [:] {
        if let field = HTTPField.Name(name) { response.headers[field] = value }
      }
      return response
    }
  }

  private func respond(_ request: Request) async -> Response {
      if let webConfig, !(await webConfig.authorized(request.headers.value(of: .authorization))) {
        let status = HTTPResponse.Status.unauthorized
        var response = renderer.error(.refusal(
          status: status.code, reasonPhrase: status.reasonPhrase, context: "GET /metrics: missing or wrong credentials (Authorization: Basic)"))
        response.headers[.wwwAuthenticate] = "Basic realm=\"synse metrics\""
        return response
      }
      guard authorized(request) else {
        let scheme = options.token != nil ? "Bearer" : "Basic"
        let status = HTTPResponse.Status.unauthorized
        var response = renderer.error(.refusal(
          status: status.code, reasonPhrase: status.reasonPhrase,
          context: "GET /metrics: missing or wrong credentials (Authorization: \(scheme))"))
        response.headers[.wwwAuthenticate] = "\(scheme) realm=\"synse metrics\""
        return response
      }
      let body = await commands.metricsExposition(metrics)
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: body)))
  }

  func authorized(_ request: Request) -> Bool {
    guard options.token != nil || options.username != nil else { return true }
    // The scheme is case-insensitive (RFC 7235 §2.1): `bearer x` is `Bearer x`.
    let header = request.headers.value(of: .authorization) ?? ""
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
