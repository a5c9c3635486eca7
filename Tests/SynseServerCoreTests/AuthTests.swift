import Crypto
import Foundation
import Testing
@testable import SynseServerCore

/// Static tokens, scopes, the write rate and the refusals' challenges (docs/auth.md); JWTs are
/// proven in Tests/Interop/test_auth.py against PyJWT, an independent implementation.
struct AuthTests {
  static func hash(_ token: String) -> String { SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined() }

  func tokensFile(_ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString).yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func twoTokens() throws -> String {
    try tokensFile("""
      - {name: reader, sha256: \(Self.hash("alpha-token")), scopes: [read]}
      - name: writer
        sha256: \(Self.hash("alpha-tokem").uppercased())
        scopes: [write, read]
      """)
  }

  @Test func aTokenMatchesOnlyItsOwnEntry() throws {
    let tokens = try StaticTokens.load(file: try twoTokens())
    #expect(tokens.match("alpha-token")?.name == "reader")
    #expect(tokens.match("alpha-tokem")?.scopes == [.read, .write])
    #expect(tokens.match("alpha-toke") == nil)
    #expect(tokens.match("") == nil)
    #expect(tokens.match(Self.hash("alpha-token")) == nil, "the hash is not the token")
  }

  /// A token accepted lately is found without its SHA-256 (``RecentTokens``): only that token,
  /// not a prefix or an extension of it, and the remembered ones stay bounded.
  @Test func aTokenAcceptedLatelyMatchesOnlyItself() throws {
    let tokens = try StaticTokens.load(file: try twoTokens())
    for _ in 0..<3 {
      #expect(tokens.match("alpha-token")?.name == "reader")
      #expect(tokens.match("alpha-tokem")?.name == "writer")
      #expect(tokens.match("alpha-toke") == nil)
      #expect(tokens.match("alpha-tokenn") == nil)
      #expect(tokens.match("alpha-token\0") == nil)
      #expect(tokens.match("alpha-tokeN") == nil)
    }
    let recent = RecentTokens()
    let token = { (index: Int) in Array("token-\(index)".utf8) }
    for index in 0..<(RecentTokens.capacity + 1) { token(index).withUnsafeBytes { recent.remember($0, entry: index) } }
    token(0).withUnsafeBytes { #expect(recent.entry(of: $0) == nil, "the oldest is dropped") }
    for index in 1...RecentTokens.capacity { token(index).withUnsafeBytes { #expect(recent.entry(of: $0) == index) } }
    Array("token-1".utf8).withUnsafeBytes { recent.remember($0, entry: 1) }
    token(2).withUnsafeBytes { #expect(recent.entry(of: $0) == 2, "a token remembered twice takes one slot") }
    Array("token-".utf8).withUnsafeBytes { #expect(recent.entry(of: $0) == nil) }
    [UInt8]().withUnsafeBytes { #expect(recent.entry(of: $0) == nil) }
  }

  @Test(arguments: [
    ("- {name: a, sha256: 12, scopes: [read]}", "'tokens[0].sha256' must be the token's SHA-256"),
    ("- {name: a, sha256: \(String(repeating: "g", count: 64)), scopes: [read]}", "'tokens[0].sha256' must be"),
    ("- {name: ' ', sha256: \(String(repeating: "0", count: 64)), scopes: [read]}", "'tokens[0].name' must be a non-blank string"),
    ("- {name: a, sha256: \(String(repeating: "0", count: 64)), scopes: []}", "'tokens[0].scopes' must be a non-empty list"),
    ("- {name: a, sha256: \(String(repeating: "0", count: 64)), scopes: [read, root]}", "unknown scope 'root'"),
    ("- {name: a, sha256: \(String(repeating: "0", count: 64)), scopes: read}", "'tokens[0].scopes' must be a non-empty list"),
    ("- {name: a, sha256: \(String(repeating: "0", count: 64)), scopes: [read]}\n- {name: b, sha256: \(String(repeating: "0", count: 64)), scopes: [read]}",
     "'tokens[1].sha256' is the same token as 'a'"),
    ("- {name: a, sha256: \(String(repeating: "0", count: 64)), scopes: [read], tokne: x}", "'tokens[0].tokne' is not a token field"),
    ("tokens: {a: 1}", "must hold a non-empty list"),
    ("- [", "is not valid YAML"),
    ("", "holds no tokens"),
  ])
  func aBadTokensFileNamesTheEntryAndNeverAHash(text: String, expected: String) throws {
    let path = try tokensFile(text)
    let error = try #require(throws: AuthConfigurationError.self) { try StaticTokens.load(file: path) }
    #expect(error.message.contains(expected), "\(error)")
    #expect(error.message.contains(path), "\(error)")
    #expect(!error.message.contains(String(repeating: "0", count: 64)))
  }

  @Test func theConfigurationReadsTheTokensFileAndNamesItsOriginOnError() throws {
    let good = try twoTokens()
    let config = try ServerConfiguration.load(path: nil, environment: ["SYNSE_AUTH_TOKENS_FILE": good])
    #expect(config.auth.tokens.entries.map(\.name) == ["reader", "writer"])
    let error = try #require(throws: ConfigurationError.self) {
      try ServerConfiguration.load(path: nil, environment: ["SYNSE_AUTH_TOKENS_FILE": "/nonexistent/tokens.yaml"])
    }
    #expect("\(error)" == "invalid configuration (SYNSE_AUTH_TOKENS_FILE): cannot read /nonexistent/tokens.yaml")
    let jwt = try #require(throws: ConfigurationError.self) {
      try ServerConfiguration.load(path: nil, environment: ["SYNSE_AUTH_JWT_ISSUER": "https://idp/"])
    }
    #expect("\(jwt)".contains("no key: set 'auth.jwt.jwks_file' or 'auth.jwt.public_key_file'"), "\(jwt)")
  }

  /// Remembered JWTs are found by their length and last 32 bytes, but only an identical token
  /// is the same key: one differing anywhere else (a forged payload under a copied signature)
  /// is not.
  @Test func aRememberedTokenMatchesOnlyItself() {
    let signature = String(repeating: "s", count: 40)
    let token = "header.payload." + signature
    var remembered: [TokenKey: Int] = [:]
    remembered[TokenKey(Substring(token))] = 1
    // The same text, another string (and a substring of a longer one): found.
    #expect(remembered[TokenKey(Substring(String(token.reversed().reversed())))] == 1)
    #expect(remembered[TokenKey("Bearer \(token)".dropFirst(7))] == 1)
    // Same length and tail, another payload: not found.
    #expect(remembered[TokenKey(Substring("header.paylOad." + signature))] == nil)
    #expect(remembered[TokenKey(Substring(token + "x"))] == nil)
    #expect(TokenKey("") == TokenKey(""))
  }

  @Test func offAuthenticationLetsEveryoneInAsAnonymous() async throws {
    let caller = try await Authenticator().authenticate(authorization: nil, address: "10.0.0.9")
    #expect(caller == .anonymous(address: "10.0.0.9"))
    #expect(Scope.allCases.allSatisfy(caller.allows))
  }

  @Test func credentialsAreCheckedAndRefusalsSayWhy() async throws {
    var configuration = ServerConfiguration()
    configuration.auth.tokens = try StaticTokens.load(file: try twoTokens())
    let auth = Authenticator(configuration: configuration)
    #expect(auth.isEnabled)
    let reader = try await auth.authenticate(authorization: "Bearer alpha-token", address: "::1")
    #expect(reader.label == "token:reader" && reader.address == "::1" && reader.scopes == [.read])
    #expect(try await auth.authenticate(authorization: "bearer   alpha-tokem", address: "").label == "token:writer")
    let missing = await #expect(throws: SynseError.self) { try await auth.authenticate(authorization: "Bearer  ", address: "") }
    #expect(missing?.context.hasPrefix("the bearer token is missing") == true)
    for (header, invalidToken) in [(nil, false), ("", false), ("Basic YTpi", false), ("Bearer", false), ("Bearer nope", true), ("Bearer a.b.c", true)] {
      let error = await #expect(throws: SynseError.self) { try await auth.authenticate(authorization: header, address: "") }
      guard case .unauthenticated(let text, let invalid)? = error else {
        Issue.record("\(String(describing: error))")
        continue
      }
      #expect(invalid == invalidToken, "\(header ?? "nil")")
      #expect(!text.contains("nope"))
      #expect(error?.httpStatus == 401)
    }
    let forbidden = #expect(throws: SynseError.self) { try auth.authorize(reader, .write) }
    #expect(forbidden == .forbidden("token:reader lacks the 'write' scope (it has: read)", scope: .write))
    #expect(forbidden?.challenge == #"Bearer realm="synse", error="insufficient_scope", scope="write""#)
    #expect(forbidden?.httpStatus == 403 && forbidden?.description == "insufficient scope")
    // A credential with an end (a JWT) is refused from that moment, whatever its scopes.
    let jwtCaller = Caller(name: "alice", credential: .jwt, scopes: [.read], expires: Date(timeIntervalSince1970: 1_000))
    #expect(throws: Never.self) { try auth.authorize(jwtCaller, .read, now: Date(timeIntervalSince1970: 999)) }
    let expired = #expect(throws: SynseError.self) { try auth.authorize(jwtCaller, .read, now: Date(timeIntervalSince1970: 1_000)) }
    #expect(expired?.httpStatus == 401 && expired?.context.contains("expired") == true)
    #expect(SynseError.unauthenticated("x", invalidToken: false).challenge == #"Bearer realm="synse""#)
    #expect(SynseError.notFound("x").challenge == nil)
    let several = SynseError.malformedCredentials("send one Authorization header: this request has several")
    #expect(several.challenge == #"Bearer realm="synse", error="invalid_request""#)
    #expect(several.httpStatus == 400 && several.description == "invalid user input")
  }

  @Test(arguments: [
    ("Bearer abc", "abc"), ("BEARER abc", "abc"), ("  bEaReR \t abc.def  ", "abc.def"), ("Bearer a b", "a b"),
    ("Bearerabc", nil), ("Bearer ", nil), ("Bearer", nil), ("Basic abc", nil), ("", nil), ("Bearer\tabc", "abc"), ("Béarer abc", nil),
  ] as [(String, String?)])
  func theBearerSchemeIsReadInAnyCase(header: String, token: String?) {
    #expect(Authenticator.bearerToken(header).map(String.init) == token)
  }

  @Test func auditTextCannotStartALineOfItsOwn() {
    #expect(AuditLog.clean("state\n2026 notice forged") == #""state\n2026 notice forged""#)
    #expect(AuditLog.clean("a\rb\u{0}c\u{2028}d\te") == #""a\rb\0c\u{2028}d\te""#)
    #expect(AuditLog.clean("a\u{0}b") == #"a\0b"#)
    #expect(AuditLog.clean(String(repeating: "x", count: 500)).count == 201)
    #expect(AuditLog.clean("héllo-wörld") == "héllo-wörld")
  }

  @Test func auditTextCannotPassForAnotherField() {
    #expect(AuditLog.clean("state who=token:admin") == #""state who=token:admin""#)
    #expect(AuditLog.clean(#"a"b\c"#) == #""a\"b\\c""#)
    #expect(AuditLog.clean("CN=x y", quoting: false) == "CN=x y")
  }

  @Test func aSecretOnALineYAMLCannotReadIsNotEchoed() throws {
    let path = try ConfigurationTests().file("metrics:\n  auth:\n    token: SuperSecretMetricsToken\u{1}\n")
    let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: [:]) }
    #expect(!"\(error)".contains("SuperSecret"), "\(error)")
    #expect("\(error)".contains("control characters are not allowed"), "\(error)")
    let tokens = try tokensFile("- {name: a, sha256: SuperSecretHash\u{1}, scopes: [read]}\n")
    let tokenError = try #require(throws: AuthConfigurationError.self) { try StaticTokens.load(file: tokens) }
    #expect(!tokenError.message.contains("SuperSecret"), "\(tokenError)")
  }

  @Test func aDevicesWriteRateRefillsAndAnOversizeRequestNeverPasses() throws {
    let limiter = WriteRateLimiter(rate: 2, burst: 3)
    let start = ContinuousClock.now
    try limiter.admit(2, device: "fan", now: start)
    try limiter.admit(1, device: "fan", now: start)
    let over = #expect(throws: SynseError.self) { try limiter.admit(1, device: "fan", now: start) }
    #expect(over?.httpStatus == 429 && over?.context.contains("retry in 1s") == true, "\(String(describing: over))")
    #expect(over?.retryAfter == 1)
    try limiter.admit(1, device: "led", now: start)  // another device has its own bucket
    try limiter.admit(1, device: "fan", now: start + .milliseconds(500))
    #expect(throws: SynseError.self) { try limiter.admit(2, device: "fan", now: start + .milliseconds(600)) }
    try limiter.admit(3, device: "fan", now: start + .seconds(10))
    let oversize = #expect(throws: SynseError.self) { try limiter.admit(4, device: "fan", now: start + .seconds(20)) }
    #expect(oversize?.context.contains("at once") == true && oversize?.retryAfter == nil)
    try WriteRateLimiter(rate: 0, burst: nil).admit(1_000, device: "fan")
  }
}
