import Foundation
import SynseSupport

/// The `auth.client_certificates` key (docs/auth.md "Client certificates"): which verified TLS
/// client certificates (mTLS, signed by a CA of `ssl.client_ca`) are whom, with what scopes. A
/// YAML list in the file, JSON in `SYNSE_AUTH_CLIENT_CERTIFICATES`:
///
/// ```yaml
/// auth:
///   client_certificates:
///     - {name: rack-robot, common_name: robot.rack12.example.net, scopes: [read, write]}
///     - {name: dashboards, san: grafana.example.net, scopes: [read]}
/// ```
///
/// `common_name` matches the subject's CN; `san` any DNS name, e-mail address, URI or IP
/// address of the subjectAltName extension (RFC 5280 §4.2.1.6); the CN exactly, a SAN without
/// regard to case (as DNS names compare). The first entry that matches names the caller; a
/// subject with several CNs is matched on the first.
public struct ClientCertificates: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    public enum Match: Sendable, Equatable {
      case commonName(String)
      case subjectAltName(String)
    }

    public let name: String
    public let match: Match
    public let scopes: Set<Scope>
  }

  public var entries: [Entry] = []

  public init(_ entries: [Entry] = []) { self.entries = entries }

  static let fields = ["name", "common_name", "san", "scopes"]

  /// The caller a verified certificate with subject CN `commonName` and subjectAltNames `sans`
  /// is, or nil when no entry matches it.
  public func caller(commonName: String?, sans: [String]) -> Caller? {
    for entry in entries {
      switch entry.match {
      case .commonName(let name) where name == commonName: break
      // DNS names compare without case (RFC 5280 §7.2, RFC 4343); so do the others here.
      case .subjectAltName(let name) where sans.contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame }): break
      default: continue
      }
      return Caller(name: entry.name, credential: .certificate, scopes: entry.scopes)
    }
    return nil
  }

  /// - Throws: ``AuthConfigurationError`` naming the entry's key (`auth.client_certificates[2].scopes`).
  static func parse(_ json: JSONValue) throws(AuthConfigurationError) -> ClientCertificates {
    let key = "auth.client_certificates"
    guard case .array(let items) = json, !items.isEmpty else {
      // An empty list would leave authentication off while its author meant to turn mTLS on.
      throw AuthConfigurationError(
        key: key, message: "'\(key)' must be a non-empty list of {name, common_name or san, scopes} (leave the key out for no client certificates)")
    }
    var entries: [Entry] = []
    for (index, item) in items.enumerated() {
      let at = "\(key)[\(index)]"
      func problem(_ text: String) -> AuthConfigurationError { AuthConfigurationError(key: key, message: text) }
      let fields = try AuthEntryFields(
        item, at: at, kind: "client certificate", fields: Self.fields, shape: "name, common_name or san, and scopes", problem: problem)
      let values = fields.values
      let name = try fields.name(taken: entries.map(\.name))
      let match: Entry.Match
      switch (values["common_name"], values["san"]) {
      case (.string(let text)?, nil) where !text.isEmpty: match = .commonName(text)
      case (nil, .string(let text)?) where !text.isEmpty: match = .subjectAltName(text)
      case (_?, _?): throw problem("'\(at)' must have one of common_name and san, not both")
      default: throw problem("'\(at)' needs 'common_name' (the subject's CN) or 'san' (a subjectAltName), a non-empty string")
      }
      if let same = entries.first(where: { $0.match == match }) {
        throw problem("'\(at)' matches the same certificates as '\(same.name)'")
      }
      let scopes = try fields.scopes()
      entries.append(Entry(name: name, match: match, scopes: scopes))
    }
    return ClientCertificates(entries)
  }
}

extension ClientCertificates: ParsedConfigurationValue {
  static func parse(configuration json: JSONValue) throws(AuthConfigurationError) -> ClientCertificates { try parse(json) }
  static var variable: String { "SYNSE_AUTH_CLIENT_CERTIFICATES" }
  static var expected: String { "a list of {name, common_name or san, scopes} (JSON in the variable)" }
}
