import Hummingbird
import SynseServerCore

/// Records the HTTP metrics of docs/api-v3.md §10 for every response of a matched route, except
/// `/metrics` itself, 405s and WebSocket upgrades. Added before the error middleware, so it
/// sees the status and body that the client gets.
struct MetricsMiddleware: RouterMiddleware {
  typealias Context = SynseRequestContext
  let metrics: ServerMetrics

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    let start = ContinuousClock.now
    let response = try await next(request, context)
    guard let route = context.endpointPath, route != "NotFound", route != "/metrics", route != "/v3/connect",
          response.status != .methodNotAllowed, response.status != .switchingProtocols else {
      return response
    }
    // A refused request (no or a bad token) is labelled by its route, not its path: clients
    // without a token must not add a series per path they try.
    let refused = response.status == .unauthorized || response.status == .forbidden
    metrics.httpResponse(
      method: request.method.rawValue, route: route, endpoint: refused ? route : request.uri.path,
      status: response.status.code, ip: context.clientIP, latency: ContinuousClock.now - start,
      bytes: response.body.contentLength)
    return response
  }
}
