import Hummingbird
import Logging
import SynseServerCore

/// The one place errors become responses: ``SynseError`` as its Synse JSON body, framework
/// errors (unknown path 404, wrong method 405, body too large 413) with their status in the
/// same body shape, anything else as 500 `an unexpected error occurred`.
struct SynseErrorMiddleware<Context: RequestContext>: RouterMiddleware {
  let renderer: JSONRenderer
  let routes: RouteTable

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    do {
      return try await next(request, context)
    } catch let error as SynseError {
      return renderer.error(error)
    } catch let error as any HTTPResponseError {
      var status = error.status
      let allowed = status == .notFound ? routes.methods(for: request.uri.path) : []
      if !allowed.isEmpty { status = .methodNotAllowed }
      let description: String
      switch status.code {
      case 404: description = "resource not found"
      case 405: description = "method not allowed"
      case 413: description = "request body too large"
      default: description = status.reasonPhrase
      }
      let body = JSONValue.object([
        ("http_code", .int(Int64(status.code))), ("description", .string(description)),
        ("timestamp", .string(Commands.now())), ("context", .string("\(request.method) \(request.uri.path): \(status.reasonPhrase)")),
      ])
      var response = renderer.response(body, status: status)
      if !allowed.isEmpty { response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ") }
      return response
    } catch {
      context.logger.error("unexpected error", metadata: ["error": "\(error)"])
      return renderer.error(.unexpected("\(error)"))
    }
  }
}
