import Hummingbird
import SynseServerCore

/// A request context that carries who sent the request, once ``AuthMiddleware`` knows.
protocol AuthenticatedRequestContext: RequestContext {
  var caller: Caller? { get set }
  /// The client IP as text ("" when unknown).
  var clientIP: String { get }
  /// The connection, to answer a refused WebSocket upgrade on (``UpgradeRefusals``).
  var connection: ObjectIdentifier? { get }
}

extension AuthenticatedRequestContext {
  /// The request's caller; anonymous (every scope) when authentication is off.
  var callerOrAnonymous: Caller { caller ?? .anonymous(address: clientIP) }
}

/// Authentication and scopes for the API port (docs/auth.md): every request but `/test` (and
/// `/metrics`, which has its own `metrics.auth`) needs a bearer token with the scope its route
/// needs (``AccessRequirement``); refusals are 401/403 Synse JSON errors with a
/// `WWW-Authenticate` challenge, and are audited. Does nothing while authentication is off.
struct AuthMiddleware<Context: AuthenticatedRequestContext>: RouterMiddleware {
  let authenticator: Authenticator
  let audit: AuditLog
  let prettyJSON: Bool

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    guard authenticator.isEnabled else { return try await next(request, context) }
    let requirement = AccessRequirement(method: request.method, path: request.uri.path, query: request.uri.query)
    guard requirement != .open else { return try await next(request, context) }
    var context = context
    let authorization = request.headers[.authorization]
    var caller: Caller?
    do throws(SynseError) {
      caller = try await authenticator.authenticate(authorization: authorization, address: context.clientIP)
      if case .scope(let scope) = requirement, let caller { try authenticator.authorize(caller, scope) }
      context.caller = caller
    } catch {
      let who = caller?.label ?? (authorization == nil ? "anonymous" : "unauthenticated")
      audit.denied(who, address: context.clientIP, request: "\(request.method) \(request.uri.path)", error: error)
      if request.headers[.upgrade]?.lowercased() == "websocket", let connection = context.connection {
        UpgradeRefusals.record(error, channel: connection, pretty: prettyJSON)
      }
      throw error
    }
    return try await next(request, context)
  }
}

/// What a route needs (docs/auth.md "Scopes"): `read` unless listed; `/v3/connect` only a valid
/// credential (each WebSocket request is checked for its own scope).
enum AccessRequirement: Equatable {
  case open
  case authenticated
  case scope(Scope)

  init(method: HTTPRequest.Method, path: String, query: String?) {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    switch (parts.first, parts.dropFirst().first) {
    case ("test"?, nil), ("metrics"?, nil): self = .open
    case ("v3"?, "connect"?): self = .authenticated
    case ("v3"?, "config"?): self = .scope(.admin)
    case ("v3"?, "plugin"?) where parts.count == 2 && QueryParameters(query).flag("refresh"): self = .scope(.admin)
    case ("v3"?, "write"?), ("v3"?, "transaction"?): self = .scope(.write)
    case ("v3"?, "device"?) where method == .post: self = .scope(.write)
    default: self = .scope(.read)
    }
  }
}
