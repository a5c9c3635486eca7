import Foundation

/// Authentication of API requests (docs/auth.md): off unless `auth.tokens_file` or a JWT key is
/// set; then every request but `/test` needs `Authorization: Bearer <token>`, a static token of
/// the tokens file or a JWT. The HTTP and WebSocket adapters ask ``authenticate(authorization:address:)``
/// once per request (per connection for the WebSocket) and ``authorize(_:_:)`` per operation.
public final class Authenticator: Sendable {
  let tokens: StaticTokens
  let jwt: JWTVerifier?

  /// Authentication off.
  public init() {
    tokens = StaticTokens()
    jwt = nil
  }

  /// From `auth.*`; reads nothing itself (the configuration read the files at load).
  public init(configuration: ServerConfiguration) {
    tokens = configuration.auth.tokens
    jwt = configuration.auth.jwt.isEnabled ? JWTVerifier(settings: configuration.auth.jwt) : nil
  }

  /// Why jwt-kit cannot use the configured JWT keys (checked at startup), or nil.
  public func keyProblem() async -> String? { await jwt?.keyProblem() }

  public var isEnabled: Bool { !tokens.entries.isEmpty || jwt != nil }

  /// The caller a request's `Authorization` header names (anonymous, with every scope, when
  /// authentication is off).
  ///
  /// - Throws: ``SynseError/unauthenticated(_:invalidToken:)``: no header, not `Bearer`, or a
  ///   token that is neither a known static token nor a valid JWT (the reason, never the token).
  public func authenticate(authorization: String?, address: String) async throws(SynseError) -> Caller {
    guard isEnabled else { return .anonymous(address: address) }
    guard let authorization, !authorization.isEmpty else {
      throw .unauthenticated("this server needs a bearer token: send 'Authorization: Bearer <token>'", invalidToken: false)
    }
    let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else {
      throw .unauthenticated("only bearer tokens are accepted: send 'Authorization: Bearer <token>'", invalidToken: false)
    }
    let token = parts[1].trimmingCharacters(in: .whitespaces)
    if let entry = tokens.match(token) {
      return Caller(name: entry.name, credential: .token, scopes: entry.scopes, address: address)
    }
    guard let jwt, token.split(separator: ".", omittingEmptySubsequences: false).count == 3 else {
      throw .unauthenticated("the bearer token is not one this server knows", invalidToken: true)
    }
    switch await jwt.verify(token) {
    case .accepted(var caller):
      caller.address = address
      return caller
    case .refused(let reason):
      throw .unauthenticated("the bearer token is refused: \(reason)", invalidToken: true)
    }
  }

  /// - Throws: ``SynseError/forbidden(_:scope:)`` naming the caller and the scope it lacks.
  public func authorize(_ caller: Caller, _ scope: Scope) throws(SynseError) {
    guard !caller.allows(scope) else { return }
    let has = caller.scopes.isEmpty ? "none" : caller.scopes.sorted().map(\.rawValue).joined(separator: ", ")
    throw .forbidden("\(caller.label) lacks the '\(scope.rawValue)' scope (it has: \(has))", scope: scope)
  }
}
