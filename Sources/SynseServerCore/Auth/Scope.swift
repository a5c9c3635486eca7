public import Foundation

/// What a credential may do (docs/auth.md "Scopes"). Scopes are independent: a token needs
/// each one it uses (`write` does not imply `read`), so a write-only robot cannot scan.
///
/// - `read`: version, scan, read, info, tags, readcache, alarms, thresholds, plugins and their
///   health, read and event streams (HTTP, SSE and WebSocket);
/// - `write`: writes and transactions;
/// - `admin`: `/v3/config` and plugin refresh (`/v3/plugin?refresh=true`).
public enum Scope: String, Sendable, CaseIterable, Hashable, Comparable {
  case read, write, admin

  public static func < (lhs: Scope, rhs: Scope) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }

  /// The scopes of a list, and its first entry that is none (`"wirte"`).
  static func parse(_ names: [String]) -> (scopes: Set<Scope>, unknown: String?) {
    (Set(names.compactMap(Scope.init(rawValue:))), names.first { Scope(rawValue: $0) == nil })
  }
}

/// Who made a request, as the audit log names them (docs/auth.md "Audit").
public struct Caller: Sendable, Equatable {
  /// How the caller proved who they are.
  public enum Credential: String, Sendable {
    /// Authentication is off: nobody is asked.
    case none
    case token, jwt
    /// A verified TLS client certificate (`auth.client_certificates`).
    case certificate
  }

  /// The token's `name`, the JWT's `sub` (or `iss` when it has none), the certificate entry's
  /// `name`; `anonymous` without.
  public let name: String
  public let credential: Credential
  public let scopes: Set<Scope>
  /// The client's IP address ("" when unknown).
  public var address: String
  /// When the credential stops being accepted (a JWT's `exp` plus the leeway); nil when it
  /// does not expire. A WebSocket connection outlives its upgrade's token: each of its
  /// requests is refused from then on.
  public let expires: Date?

  public init(name: String, credential: Credential, scopes: Set<Scope>, address: String = "", expires: Date? = nil) {
    self.name = name
    self.credential = credential
    self.scopes = scopes
    self.address = address
    self.expires = expires
  }

  /// Authentication off: everything allowed, named `anonymous`.
  public static func anonymous(address: String = "") -> Caller {
    Caller(name: "anonymous", credential: .none, scopes: Set(Scope.allCases), address: address)
  }

  /// `token:ci-bot`, `jwt:alice`, `certificate:rack-robot`, `anonymous`.
  public var label: String { credential == .none ? name : "\(credential.rawValue):\(name)" }

  public func allows(_ scope: Scope) -> Bool { scopes.contains(scope) }
}
