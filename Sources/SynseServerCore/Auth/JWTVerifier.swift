import Foundation
import JWTKit
import Synchronization

/// Verifies bearer JWTs by ``JWTSettings`` with jwt-kit, and remembers each good token until
/// its `exp` (at most 4,096 of them): verifying a signature costs tens of microseconds, which at
/// thousands of requests a second is a core, while a client sends the same token many times.
final class JWTVerifier: Sendable {
  private let settings: JWTSettings
  /// The key collection, filled once in the background (jwt-kit's collection is an actor).
  private let keys: Task<JWTKeyCollection, any Error>
  /// A struct, not a tuple: a tuple's type metadata was looked up at run time on every hit.
  private struct Remembered {
    let caller: Caller
    let expires: Date
    let notBefore: Date?
  }

  private let accepted = Mutex<[TokenKey: Remembered]>([:])
  static let remembered = 4096

  init(settings: JWTSettings) {
    self.settings = settings
    keys = Task { try await settings.keyCollection() }
  }

  /// Why the configured keys cannot verify anything, or nil when they can.
  func keyProblem() async -> String? {
    do {
      _ = try await keys.value
      return nil
    } catch {
      return "\(error)"
    }
  }

  /// What ``verify(_:now:)`` decided.
  enum Verdict {
    case accepted(Caller)
    /// Why (`the token has expired`, …; never the token).
    case refused(String)
  }

  /// The verdict on a token verified before (its times checked again now), nil for a new one.
  func cached(_ token: Substring, now: Date = Date()) -> Verdict? {
    guard let known = accepted.withLock({ $0[TokenKey(token)] }) else { return nil }
    return timeProblem(expires: known.expires, notBefore: known.notBefore, now: now).map(Verdict.refused) ?? .accepted(known.caller)
  }

  /// Why a token is out of its time (`exp`, `nbf`, with the leeway) now, nil when it is not;
  /// for new and remembered tokens alike.
  /// As jwt-kit's `ExpirationClaim`/`NotBeforeClaim` checks (RFC 7519 §4.1.4, §4.1.5), compared
  /// directly: this runs on every request of a remembered token.
  private func timeProblem(expires: Date, notBefore: Date?, now: Date) -> String? {
    let leeway = TimeInterval(settings.leeway)
    if expires <= now.addingTimeInterval(-leeway) { return "the token has expired" }
    if let notBefore, notBefore >= now.addingTimeInterval(leeway) { return "the token is not valid yet (nbf)" }
    return nil
  }

  /// The caller a token names, or why it is refused.
  func verify(_ token: String, now: Date = Date()) async -> Verdict {
    if let verdict = cached(Substring(token), now: now) { return verdict }
    if case .jwks(_, let kids)? = settings.keys {
      guard let kid = Self.keyID(token), kids.contains(kid) else { return .refused("the token names no key this server has ('kid')") }
    }
    let claims: Claims
    do {
      claims = try await keys.value.verify(token, as: Claims.self)
    } catch let error as JWTError {
      return .refused(Self.reason(error))
    } catch {
      return .refused("the token could not be verified")
    }
    guard let exp = claims.number("exp") else { return .refused("the token has no numeric 'exp' (expiry)") }
    if claims.values["nbf"] != nil && claims.number("nbf") == nil { return .refused("the token's 'nbf' is not a number") }
    let expires = Date(timeIntervalSince1970: exp)
    let notBefore = claims.number("nbf").map { Date(timeIntervalSince1970: $0) }
    if let problem = timeProblem(expires: expires, notBefore: notBefore, now: now) { return .refused(problem) }
    guard case .text(settings.issuer ?? "")? = claims.values["iss"] else { return .refused("the token's issuer ('iss') is not the one configured") }
    do {
      try AudienceClaim(value: claims.strings("aud") ?? []).verifyIntendedAudience(includes: settings.audience ?? "")
    } catch {
      return .refused("the token's audience ('aud') does not include this server's")
    }
    let names = claims.strings(settings.scopesClaim).map { $0.flatMap { $0.split(separator: " ").map(String.init) } } ?? []
    // Unknown scope names are other services' (`openid`, `profile`): ignored, not refused.
    let scopes = Set(names.compactMap(Scope.init(rawValue:)))
    let subject = claims.strings("sub")?.first.flatMap { $0.isEmpty ? nil : $0 }
    let caller = Caller(
      name: subject ?? settings.issuer ?? "jwt", credential: .jwt, scopes: scopes, expires: expires.addingTimeInterval(TimeInterval(settings.leeway)))
    accepted.withLock { cache in
      if cache.count >= Self.remembered { cache.removeAll(keepingCapacity: true) }
      cache[TokenKey(Substring(token))] = Remembered(caller: caller, expires: expires, notBefore: notBefore)
    }
    return .accepted(caller)
  }

  /// The `kid` of a token's header (RFC 7515 §4.1.4), nil when it has none or is malformed.
  static func keyID(_ token: String) -> String? {
    guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
    var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    guard let data = Data(base64Encoded: base64),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return nil }
    return object["kid"] as? String
  }

  static func reason(_ error: JWTError) -> String {
    switch error.errorType {
    case .malformedToken: "the token is not a well-formed JWT"
    case .signatureVerificationFailed: "the token's signature does not verify"
    case .unknownKID, .missingKIDHeader: "the token names no key this server has ('kid')"
    case .unsupportedAlgorithm, .signingAlgorithmFailure: "the token's algorithm is not its key's"
    default: "the token could not be verified"
    }
  }
}

/// Every claim of a token, as far as verification needs them: strings, lists of strings, numbers.
struct Claims: JWTPayload {
  enum Value: Sendable {
    case text(String), texts([String]), number(Double), other
  }
  let values: [String: Value]

  struct Key: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: Key.self)
    var values: [String: Value] = [:]
    for key in container.allKeys {
      if let text = try? container.decode(String.self, forKey: key) {
        values[key.stringValue] = .text(text)
      } else if let number = try? container.decode(Double.self, forKey: key) {
        values[key.stringValue] = .number(number)
      } else if let texts = try? container.decode([String].self, forKey: key) {
        values[key.stringValue] = .texts(texts)
      } else {
        values[key.stringValue] = .other
      }
    }
    self.values = values
  }

  func encode(to encoder: any Encoder) throws {}

  /// Claims are checked by ``JWTVerifier`` against the server's settings after the signature.
  func verify(using algorithm: some JWTAlgorithm) async throws {}

  func number(_ name: String) -> Double? {
    if case .number(let value)? = values[name] { return value }
    return nil
  }

  /// A string claim as a one-element list, a list as it is.
  func strings(_ name: String) -> [String]? {
    switch values[name] {
    case .text(let text)?: [text]
    case .texts(let texts)?: texts
    default: nil
    }
  }
}

/// A remembered token as a dictionary key without copying it, hashed by its length and last
/// 32 bytes (in a JWT, its signature's) instead of all of its hundreds, and equal only when
/// every byte is: looking a token up is the whole per-request cost of JWT authentication.
struct TokenKey: Hashable, Sendable {
  let token: Substring

  init(_ token: Substring) { self.token = token }

  func hash(into hasher: inout Hasher) {
    let bytes = token.utf8
    hasher.combine(bytes.count)
    if bytes.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0.suffix(32)))) }) == nil {
      for byte in bytes.suffix(32) { hasher.combine(byte) }
    }
  }

  /// On the bytes in memory where both have them (a native string's always does): walking two
  /// `UTF8View`s byte by byte cost more than the rest of the request's authentication.
  static func == (lhs: TokenKey, rhs: TokenKey) -> Bool {
    let (left, right) = (lhs.token.utf8, rhs.token.utf8)
    guard left.count == right.count else { return false }
    let equal = left.withContiguousStorageIfAvailable { left in
      right.withContiguousStorageIfAvailable { right in
        left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
      }
    }
    return (equal ?? nil) ?? left.elementsEqual(right)
  }
}
