import Hummingbird
import SynseServerCore

/// A request context that carries who sent the request, once ``AuthMiddleware`` knows.
protocol AuthenticatedRequestContext: RequestContext {
  var caller: Caller? { get set }
  /// The client IP as text ("" when unknown).
  var clientIP: String { get }
  /// The connection, to answer a refused WebSocket upgrade on (``UpgradeRefusals``).
  var connection: ObjectIdentifier? { get }
  /// The names of the connection's verified TLS client certificate; nil without one.
  func clientCertificate() async -> ClientCertificateNames?
}

extension AuthenticatedRequestContext {
  /// The request's caller with its address; anonymous (every scope) when authentication is off.
  var callerOrAnonymous: Caller {
    var known = caller ?? .anonymous()
    known.address = clientIP
    return known
  }
}

/// Authentication and scopes for the API port (docs/auth.md): every request but `/test` (and
/// `/metrics`, which has its own `metrics.auth`) needs a bearer token (or, without one, a
/// verified client certificate of `auth.client_certificates`) with the scope its route
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
    var presented = authorization != nil
    // The address is left out here (formatting it cost as much as the check): the audit lines,
    // which show it, take it from the context.
    do throws(SynseError) {
      if authorization == nil && authenticator.acceptsCertificates {
        let certificate = await context.clientCertificate()
        presented = certificate != nil
        caller = try authenticator.certificateCaller(commonName: certificate?.commonName, sans: certificate?.subjectAltNames, address: "")
      } else {
        caller = try authenticator.knownCaller(authorization: authorization, address: "")
      }
      if caller == nil { caller = try await authenticator.newJWTCaller(authorization: authorization, address: "") }
      if case .scope(let scope) = requirement, let caller { try authenticator.authorize(caller, scope) }
      context.caller = caller
    } catch {
      let who = caller?.label ?? (presented ? "unauthenticated" : "anonymous")
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
    // The first two segments and whether more follow, compared as bytes: this runs on every
    // request, and splitting the path or matching a tuple of optionals cost allocations.
    var rest = Substring(path).utf8
    func segment() -> Substring.UTF8View? {
      while rest.first == UInt8(ascii: "/") { rest = rest.dropFirst() }
      guard !rest.isEmpty else { return nil }
      let end = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
      defer { rest = rest[end...] }
      return rest[..<end]
    }
    func equal(_ segment: Substring.UTF8View?, _ name: StaticString) -> Bool {
      guard let segment else { return false }
      return name.withUTF8Buffer { segment.elementsEqual($0) }
    }
    let first = segment(), second = segment()
    let more = segment() != nil
    if second == nil && (equal(first, "test") || equal(first, "metrics")) {
      self = .open
    } else if !equal(first, "v3") {
      self = .scope(.read)
    } else if equal(second, "connect") {
      self = .authenticated
    } else if equal(second, "config") || (equal(second, "plugin") && !more && QueryParameters(query).flag("refresh")) {
      self = .scope(.admin)
    } else if equal(second, "write") || equal(second, "transaction") || (equal(second, "device") && method == .post) {
      self = .scope(.write)
    } else {
      self = .scope(.read)
    }
  }

}
