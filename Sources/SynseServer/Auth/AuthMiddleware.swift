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
///
/// Of the one context type, not generic over it: unspecialized, every copy of the context and
/// of its caller went through the runtime's value witnesses, which cost more than the check.
struct AuthMiddleware: RouterMiddleware {
  typealias Context = SynseRequestContext
  let authenticator: Authenticator
  let audit: AuditLog
  let prettyJSON: Bool

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    guard authenticator.isEnabled else { return try await next(request, context) }
    let requirement = AccessRequirement(method: request.method, path: request.uri.path, query: request.uri.query)
    guard requirement != .open else { return try await next(request, context) }
    var context = context
    let field = request.headers.field(.authorization)
    let authorization = field?.value
    var caller: Caller?
    var presented = authorization != nil
    // The address is left out here (formatting it cost as much as the check): the audit lines,
    // which show it, take it from the context.
    do throws(SynseError) {
      // Joined, two credentials read as one unknown token: say what is wrong instead.
      if field?.repeated == true {
        throw .malformedCredentials("send one Authorization header: this request has several")
      }
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
    var path = path
    self = path.withUTF8 { Self.requirement(method: method, path: $0, query: query) }
  }

  /// The first two segments and whether more follow, compared on the path's bytes: this runs
  /// on every request, and generic `UTF8View` slicing and comparing cost more than the token
  /// check.
  private static func requirement(method: HTTPRequest.Method, path: UnsafeBufferPointer<UInt8>, query: String?) -> AccessRequirement {
    var position = 0
    func segment() -> Range<Int>? {
      while position < path.count && path[position] == UInt8(ascii: "/") { position += 1 }
      guard position < path.count else { return nil }
      let start = position
      while position < path.count && path[position] != UInt8(ascii: "/") { position += 1 }
      return start..<position
    }
    func equal(_ segment: Range<Int>?, _ name: StaticString) -> Bool {
      guard let segment, segment.count == name.utf8CodeUnitCount else { return false }
      return name.withUTF8Buffer { name in (0..<name.count).allSatisfy { path[segment.lowerBound + $0] == name[$0] } }
    }
    let first = segment(), second = segment()
    let more = segment() != nil
    if second == nil && (equal(first, "test") || equal(first, "metrics")) { return .open }
    if !equal(first, "v3") { return .scope(.read) }
    if equal(second, "connect") { return .authenticated }
    if equal(second, "config") || (equal(second, "plugin") && !more && QueryParameters(query).flag("refresh")) { return .scope(.admin) }
    if equal(second, "write") || equal(second, "transaction") || (equal(second, "device") && method == .post) { return .scope(.write) }
    return .scope(.read)
  }
}
