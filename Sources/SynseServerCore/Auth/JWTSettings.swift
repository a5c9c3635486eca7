import Foundation
import JWTKit

/// `auth.jwt.*` (docs/auth.md "JWT"): bearer JWTs signed by an issuer's key, RFC 7519.
///
/// A token is accepted when its signature verifies with the key of `public_key_file` (PEM: an
/// RSA key for RS256, or an EC P-256/384/521 key for ES256/384/512, or a certificate holding
/// one) or with the key of `jwks_file` its `kid` names (RFC 7517 JSON Web Key Set, any
/// algorithm jwt-kit supports); its `iss` is `issuer`, its `aud` holds `audience`, it has an
/// `exp` in the future and any `nbf` in the past (both with `leeway` for clock skew). Its
/// scopes come from the claim `scopes_claim` (default `scope`): a space-separated string
/// (RFC 8693 §4.2) or a list.
public struct JWTSettings: Sendable, Equatable {
  public var jwksFile: String?
  public var publicKeyFile: String?
  public var issuer: String?
  public var audience: String?
  public var scopesClaim = "scope"
  /// Seconds of clock skew allowed on `exp` and `nbf` (0 to 3600).
  public var leeway = 60
  /// The keys read at load: JWKS JSON or the PEM text.
  var keys: Keys?

  enum Keys: Sendable, Equatable {
    /// The set's JSON and its keys' IDs: a token must name one (jwt-kit would fall back to
    /// the first key for a missing or unknown `kid`).
    case jwks(String, kids: Set<String>)
    case rsa(String)
    case ecdsa256(String), ecdsa384(String), ecdsa512(String)
  }

  public init() {}

  public var isEnabled: Bool { keys != nil }

  /// Reads the key file; with a key, `issuer` and `audience` are required (a token another
  /// service of the same identity provider was given must not open this API).
  mutating func load() throws(AuthConfigurationError) {
    switch (jwksFile, publicKeyFile) {
    case (nil, nil):
      if issuer != nil || audience != nil {
        throw AuthConfigurationError(key: "auth.jwt", message: "'auth.jwt.issuer'/'auth.jwt.audience' are set but no key: set 'auth.jwt.jwks_file' or 'auth.jwt.public_key_file'")
      }
      return
    case (.some, .some):
      throw AuthConfigurationError(key: "auth.jwt", message: "set one of 'auth.jwt.jwks_file' and 'auth.jwt.public_key_file', not both")
    case (let jwks?, nil):
      let text = try Self.read(jwks, key: "auth.jwt.jwks_file")
      do {
        let set = try JSONDecoder().decode(JWKS.self, from: Data(text.utf8))
        guard !set.keys.isEmpty else { throw AuthConfigurationError(key: "", message: "it has no keys") }
        if set.keys.contains(where: { $0.keyIdentifier == nil }) {
          throw AuthConfigurationError(key: "", message: "a key has no 'kid' (tokens name their key by it)")
        }
        keys = .jwks(text, kids: Set(set.keys.compactMap { $0.keyIdentifier?.string }))
      } catch {
        throw AuthConfigurationError(key: "auth.jwt.jwks_file", message: "'auth.jwt.jwks_file' \(jwks) is not a usable JSON Web Key Set: \(error)")
      }
    case (nil, let file?):
      let pem = try Self.read(file, key: "auth.jwt.public_key_file")
      if (try? Insecure.RSA.PublicKey(pem: pem)) != nil || (try? Insecure.RSA.PublicKey(certificatePEM: pem)) != nil {
        keys = .rsa(pem)
      } else if (try? ES256PublicKey(pem: pem)) != nil || (try? ES256PublicKey(certificate: pem)) != nil {
        keys = .ecdsa256(pem)
      } else if (try? ES384PublicKey(pem: pem)) != nil || (try? ES384PublicKey(certificate: pem)) != nil {
        keys = .ecdsa384(pem)
      } else if (try? ES512PublicKey(pem: pem)) != nil || (try? ES512PublicKey(certificate: pem)) != nil {
        keys = .ecdsa512(pem)
      } else {
        throw AuthConfigurationError(
          key: "auth.jwt.public_key_file",
          message: "'auth.jwt.public_key_file' \(file) holds no RSA or EC (P-256/384/521) public key or certificate in PEM")
      }
    }
    guard issuer?.isEmpty == false, audience?.isEmpty == false else {
      throw AuthConfigurationError(key: "auth.jwt", message: "JWTs need 'auth.jwt.issuer' and 'auth.jwt.audience' (the 'iss' and 'aud' every token must carry)")
    }
    guard !scopesClaim.isEmpty else { throw AuthConfigurationError(key: "auth.jwt.scopes_claim", message: "'auth.jwt.scopes_claim' must not be empty") }
  }

  private static func read(_ file: String, key: String) throws(AuthConfigurationError) -> String {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw AuthConfigurationError(key: key, message: "'\(key)': cannot read \(file)")
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// The key collection jwt-kit verifies with.
  func keyCollection() async throws -> JWTKeyCollection {
    let keys = JWTKeyCollection()
    switch self.keys {
    case .jwks(let json, _)?: try await keys.add(jwksJSON: json)
    case .rsa(let pem)?:
      let key = try (try? Insecure.RSA.PublicKey(pem: pem)) ?? Insecure.RSA.PublicKey(certificatePEM: pem)
      await keys.add(rsa: key, digestAlgorithm: .sha256)
    case .ecdsa256(let pem)?: await keys.add(ecdsa: try (try? ES256PublicKey(pem: pem)) ?? ES256PublicKey(certificate: pem))
    case .ecdsa384(let pem)?: await keys.add(ecdsa: try (try? ES384PublicKey(pem: pem)) ?? ES384PublicKey(certificate: pem))
    case .ecdsa512(let pem)?: await keys.add(ecdsa: try (try? ES512PublicKey(pem: pem)) ?? ES512PublicKey(certificate: pem))
    case nil: break
    }
    return keys
  }
}
