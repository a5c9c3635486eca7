public import Foundation

/// Authentication of API requests (docs/auth.md): off unless `auth.tokens_file` or a JWT key is
/// set; then every request but `/test` needs `Authorization: Bearer <token>`, a static token of
/// the tokens file or a JWT. The HTTP and WebSocket adapters ask ``authenticate(authorization:address:)``
/// once per request (per connection for the WebSocket) and ``authorize(_:_:)`` per operation.
public final class Authenticator: Sendable {
  let tokens: StaticTokens
  let jwt: JWTVerifier?
  let certificates: ClientCertificates

  /// Authentication off.
  public init() {
    tokens = StaticTokens()
    jwt = nil
    certificates = ClientCertificates()
  }

  /// From `auth.*`; reads nothing itself (the configuration read the files at load).
  public init(configuration: ServerConfiguration) {
    tokens = configuration.auth.tokens
    jwt = configuration.auth.jwt.isEnabled ? JWTVerifier(settings: configuration.auth.jwt) : nil
    certificates = configuration.auth.clientCertificates
  }

  /// Why jwt-kit cannot use the configured JWT keys (checked at startup), or nil.
  public func keyProblem() async -> String? { await jwt?.keyProblem() }

  public var isEnabled: Bool { !tokens.entries.isEmpty || jwt != nil || acceptsCertificates }

  /// Whether client certificates name callers (`auth.client_certificates`): then a request
  /// without `Authorization` is asked for its connection's verified certificate.
  public var acceptsCertificates: Bool { !certificates.entries.isEmpty }

  /// The caller a verified client certificate is (its subject CN and subjectAltNames), for a
  /// request without `Authorization`.
  ///
  /// - Throws: ``SynseError/unauthenticated(_:invalidToken:)``: no certificate, or one that no
  ///   `auth.client_certificates` entry matches (naming its CN, which is not a secret).
  public func certificateCaller(commonName: String?, sans: [String]?, address: String) throws(SynseError) -> Caller {
    guard let sans else {
      throw .unauthenticated(
        "this server needs a bearer token or a client certificate: send 'Authorization: Bearer <token>' or connect with a certificate", invalidToken: false)
    }
    guard var caller = certificates.caller(commonName: commonName, sans: sans) else {
      let names = (commonName.map { ["CN=\($0)"] } ?? ["no CN"]) + (sans.isEmpty ? [] : ["subjectAltName " + sans.prefix(5).joined(separator: ", ")])
      let subject = AuditLog.clean(names.joined(separator: "; "), quoting: false)
      throw .unauthenticated("the client certificate (\(subject)) is not one auth.client_certificates names", invalidToken: true)
    }
    caller.address = address
    return caller
  }

  /// The caller a request's `Authorization` header names (anonymous, with every scope, when
  /// authentication is off).
  ///
  /// - Throws: ``SynseError/unauthenticated(_:invalidToken:)``: no header, not `Bearer`, or a
  ///   token that is neither a known static token nor a valid JWT (the reason, never the token).
  public func authenticate(authorization: String?, address: String) async throws(SynseError) -> Caller {
    if let caller = try knownCaller(authorization: authorization, address: address) { return caller }
    return try await newJWTCaller(authorization: authorization, address: address)
  }

  /// The caller of a JWT ``knownCaller(authorization:address:)`` has not seen (it answers
  /// everything else), verified with the keys.
  public func newJWTCaller(authorization: String?, address: String) async throws(SynseError) -> Caller {
    guard let jwt, let authorization, let token = Self.bearerToken(authorization) else {
      throw .unauthenticated("the bearer token is not one this server knows", invalidToken: true)
    }
    switch await jwt.verify(String(token)) {
    case .accepted(var caller):
      caller.address = address
      return caller
    case .refused(let reason):
      throw .unauthenticated("the bearer token is refused: \(reason)", invalidToken: true)
    }
  }

  /// ``authenticate(authorization:address:)`` without suspending, for all but a JWT not seen
  /// before (nil then): a hop off the event loop and back cost more than the check itself.
  public func knownCaller(authorization: String?, address: String) throws(SynseError) -> Caller? {
    guard isEnabled else { return .anonymous(address: address) }
    guard let authorization, !authorization.isEmpty else {
      throw .unauthenticated("this server needs a bearer token: send 'Authorization: Bearer <token>'", invalidToken: false)
    }
    // On the header's bytes in memory, without a Substring until a JWT needs one: generic
    // UTF8View walks and slices cost several times the SHA-256 of the token.
    var header = authorization
    guard let range = header.withUTF8({ Self.bearerTokenRange($0) }) else {
      let scheme = authorization.trimmingCharacters(in: .whitespaces).prefix(7).lowercased()
      if scheme == "bearer" || scheme == "bearer " {
        throw .unauthenticated("the bearer token is missing: send 'Authorization: Bearer <token>'", invalidToken: false)
      }
      throw .unauthenticated("only bearer tokens are accepted: send 'Authorization: Bearer <token>'", invalidToken: false)
    }
    var token: Substring?
    if let jwt {
      let text = Self.text(of: header, at: range)
      token = text
      // A remembered JWT first: the hot path of JWT clients, without scanning the token.
      switch jwt.cached(text) {
      case .accepted(var caller)?:
        caller.address = address
        return caller
      case .refused(let reason)?: throw .unauthenticated("the bearer token is refused: \(reason)", invalidToken: true)
      case nil: break
      }
    }
    if let entry = header.withUTF8({ tokens.match(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0[range]))) }) {
      return Caller(name: entry.name, credential: .token, scopes: entry.scopes, address: address)
    }
    // A JWT not seen before: the caller verifies it (it may suspend).
    if let token, Self.isJWTShaped(token) { return nil }
    throw .unauthenticated("the bearer token is not one this server knows", invalidToken: true)
  }

  /// The token of `Bearer <token>` (scheme in any case, RFC 7235 §2.1), blanks around it dropped.
  static func bearerToken(_ authorization: String) -> Substring? {
    var header = authorization
    return header.withUTF8({ bearerTokenRange($0) }).map { text(of: header, at: $0) }
  }

  /// The part of `header` at UTF-8 offsets `range`.
  private static func text(of header: String, at range: Range<Int>) -> Substring {
    let utf8 = header.utf8
    return Substring(utf8[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)])
  }

  /// Where the token of `Bearer <token>` lies in the header's bytes (``bearerToken(_:)``).
  static func bearerTokenRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
    let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    var start = 0
    while start < bytes.count && isBlank(bytes[start]) { start += 1 }
    // `bearer` in any case: each byte with its case bit set, without a lowercased copy.
    let scheme: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0x62, 0x65, 0x61, 0x72, 0x65, 0x72)
    guard bytes.count - start > 6,
      bytes[start] | 0x20 == scheme.0, bytes[start + 1] | 0x20 == scheme.1, bytes[start + 2] | 0x20 == scheme.2,
      bytes[start + 3] | 0x20 == scheme.3, bytes[start + 4] | 0x20 == scheme.4, bytes[start + 5] | 0x20 == scheme.5,
      isBlank(bytes[start + 6])
    else { return nil }
    var first = start + 7
    while first < bytes.count && isBlank(bytes[first]) { first += 1 }
    var end = bytes.count
    while end > first && isBlank(bytes[end - 1]) { end -= 1 }
    return first < end ? first..<end : nil
  }

  /// Counted in the bytes in memory: the `UTF8View` walk cost as much as the rest of the check.
  static func isJWTShaped(_ token: Substring) -> Bool {
    let isDot = { (byte: UInt8) in byte == UInt8(ascii: ".") }
    return (token.utf8.withContiguousStorageIfAvailable { $0.count(where: isDot) } ?? token.utf8.count(where: isDot)) == 2
  }

  /// - Throws: ``SynseError/unauthenticated(_:invalidToken:)`` once the caller's credential
  ///   expired (a JWT on a WebSocket connection opened before its `exp`);
  ///   ``SynseError/forbidden(_:scope:)`` naming the caller and the scope it lacks.
  public func authorize(_ caller: Caller, _ scope: Scope, now: Date? = nil) throws(SynseError) {
    // The clock is read only for a credential that expires: this runs on every request.
    if let expires = caller.expires, expires <= now ?? Date() {
      throw .unauthenticated("the bearer token has expired since this connection was opened: open a new one with a fresh token", invalidToken: true)
    }
    guard !caller.allows(scope) else { return }
    let has = caller.scopes.isEmpty ? "none" : caller.scopes.sorted().map(\.rawValue).joined(separator: ", ")
    throw .forbidden("\(caller.label) lacks the '\(scope.rawValue)' scope (it has: \(has))", scope: scope)
  }
}
