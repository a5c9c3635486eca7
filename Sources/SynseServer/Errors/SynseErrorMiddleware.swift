import Hummingbird
import Logging
import SynseServerCore

/// The one place errors become responses: ``SynseError`` as its Synse JSON body, framework
/// errors (unknown path 404, wrong method 405, body too large 413) as the ``SynseError`` of
/// their status (``SynseError/refusal(status:reasonPhrase:context:)``), anything else as 500
/// `an unexpected error occurred`.
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
      let context = "\(request.method) \(request.uri.path): \(status.reasonPhrase)"
      var response = renderer.error(.refusal(status: status.code, reasonPhrase: status.reasonPhrase, context: context))
      if !allowed.isEmpty { response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ") }
      return response
    } catch {
      context.logger.error("unexpected error", metadata: ["error": "\(error)"])
      return renderer.error(.unexpected("\(error)"))
    }
  }
}
