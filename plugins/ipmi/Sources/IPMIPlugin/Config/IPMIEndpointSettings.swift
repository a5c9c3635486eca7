import Foundation
public import SynseSDK
import SynseSupport

/// One BMC of the plugin: one `dynamicRegistration.config` item of the plugin config (issue 19).
///
/// ```yaml
/// dynamicRegistration:
///   config:
///     - host: 10.0.0.7
///       port: 623                       # default 623 (RMCP)
///       username: admin
///       passwordFile: /run/secrets/bmc7 # or password: "…"; a trailing newline is trimmed
///       privilege: operator             # user | operator | admin; default admin
///       cipherSuite: 3                  # RMCP+ cipher suite ID: 0-3, 6-8, 11, 12, 15-17; default 3
///       protocol: lanplus               # lanplus (IPMI 2.0, RMCP+) or lan (IPMI 1.5); default lanplus
///       timeout: 5s                     # a session's deadline, a Go duration; default 5s
/// ```
///
/// Nothing here prints the password.
public struct IPMIEndpointSettings: Sendable, CustomStringConvertible {
  public enum Privilege: String, Sendable, CaseIterable {
    case user, `operator`, admin

    /// IPMI 2.0 §6.8 privilege level.
    var level: UInt8 {
      switch self {
      case .user: 2
      case .operator: 3
      case .admin: 4
      }
    }
  }

  public enum ProtocolVersion: String, Sendable, CaseIterable {
    /// IPMI 1.5 LAN (RMCP, MD5 authentication).
    case lan
    /// IPMI 2.0 LAN (RMCP+).
    case lanplus
  }

  /// The keys an item may have; any other is refused (a typo such as `pasword` would
  /// otherwise mean an empty password).
  public static let keys = ["host", "port", "username", "password", "passwordFile", "privilege", "cipherSuite", "protocol", "timeout"]
  public static let defaultTimeout: Duration = .seconds(5)

  public var host: String
  public var port: Int
  public var username: String
  var password: String
  public var privilege: Privilege
  public var cipherSuite: UInt8
  public var protocolVersion: ProtocolVersion
  public var timeout: Duration

  /// `host:port`, the BMC's name in health checks, logs and device tags.
  public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

  /// Parses one `dynamicRegistration.config` item.
  /// - Throws: ``ConfigError`` naming the bad key: `.invalidValue` for an unknown key, a value
  ///   of the wrong type or out of range (a cipher suite FreeIPMI lacks, a user name over 16
  ///   bytes, a password over 20, or 16 with `protocol: lan`), `host:port` in `host`, or both
  ///   `password` and `passwordFile`;
  ///   `.missingValue` for no `host`, `username` or password; `.missingFile` for a password
  ///   file that cannot be read.
  public init(_ item: ConfigValue) throws(ConfigError) {
    let hostValue = try ConfigField.registrationItem(
      item, known: Self.keys, name: "an IPMI BMC", required: "host", meaning: "the BMC's address, such as 10.0.0.7")
    host = try Self.host(hostValue)
    port = try ConfigField.integer(item["port"], key: "port", in: 1...65535, default: 623)
    protocolVersion = try ConfigField.choice(item["protocol"], key: "protocol", default: .lanplus)
    (username, password) = try Self.credentials(item, protocolVersion: protocolVersion)
    privilege = try ConfigField.choice(item["privilege"], key: "privilege", default: .admin)
    cipherSuite = try Self.cipherSuite(item["cipherSuite"])
    // Refused rather than ignored: whoever sets it believes the session uses it.
    if protocolVersion == .lan, ConfigField.present(item["cipherSuite"]) != nil {
      throw ConfigError(.invalidValue, key: "cipherSuite", message: "applies only to protocol lanplus (IPMI 1.5 has no cipher suites)")
    }
    timeout = try ConfigField.duration(item["timeout"], key: "timeout", default: Self.defaultTimeout, in: .milliseconds(100) ... .seconds(600))
  }

  public var description: String {
    "IPMIEndpointSettings(endpoint: \(endpoint), privilege: \(privilege.rawValue), protocol: \(protocolVersion.rawValue), "
      + "cipherSuite: \(cipherSuite), timeout: \(GoDuration.format(timeout)), credentials not shown)"
  }

  /// A host name, an IPv4 address or an IPv6 address (in brackets or not); `host:port` is
  /// refused rather than passed on, where FreeIPMI would take the text after the colon as the
  /// port and silently ignore `port`.
  private static func host(_ value: ConfigValue) throws(ConfigError) -> String {
    var text = try ConfigField.cString(ConfigField.string(value, key: "host"), key: "host").trimmingCharacters(in: .whitespaces)
    if text.hasPrefix("["), let close = text.firstIndex(of: "]"), text.index(after: close) != text.endIndex {
      throw ConfigError(.invalidValue, key: "host", message: "'\(text)' is not a host name or address; give the port as port, not in host")
    }
    let bracketed = text.hasPrefix("[") && text.hasSuffix("]")
    if bracketed { text = String(text.dropFirst().dropLast()) }
    guard !text.isEmpty, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
      !text.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "[" || $0 == "]" })
    else {
      throw ConfigError(.invalidValue, key: "host", message: "'\(text)' is not a host name or address")
    }
    if text.contains(":") || bracketed {
      var address = in6_addr()
      guard inet_pton(AF_INET6, text, &address) == 1 else {
        throw ConfigError(.invalidValue, key: "host", message: "'\(text)' is not a host name or address; give the port as port, not in host")
      }
    }
    return text
  }

  /// IPMI limits: user names 16 bytes (IPMI 2.0 §22.28), passwords 20 bytes over RMCP+ and
  /// 16 over IPMI 1.5 (§22.30), longer ones are refused here rather than by the BMC. Empty
  /// ones are IPMI's null user and null password, which BMCs may allow.
  private static func credentials(_ item: ConfigValue, protocolVersion: ProtocolVersion) throws(ConfigError) -> (String, String) {
    guard let user = ConfigField.present(item["username"]) else {
      throw ConfigError(.missingValue, key: "username", message: "required: the BMC user to log in as")
    }
    let username = try ConfigField.cString(ConfigField.string(user, key: "username"), key: "username")
    guard username.utf8.count <= 16 else {
      throw ConfigError(.invalidValue, key: "username", message: "longer than 16 bytes, the IPMI maximum")
    }
    let inline = ConfigField.present(item["password"])
    let file = ConfigField.present(item["passwordFile"])
    if inline != nil, file != nil {
      throw ConfigError(.invalidValue, key: "passwordFile", message: "give password or passwordFile, not both")
    }
    let password: String
    let key: String
    if let inline {
      (password, key) = (try ConfigField.string(inline, key: "password"), "password")
    } else if let file {
      (password, key) = (try ConfigField.secretFile(ConfigField.string(file, key: "passwordFile"), key: "passwordFile"), "passwordFile")
    } else {
      throw ConfigError(.missingValue, key: "password", message: "required: password or passwordFile")
    }
    _ = try ConfigField.cString(password, key: key)
    let limit = protocolVersion == .lanplus ? 20 : 16
    guard password.utf8.count <= limit else {
      throw ConfigError(
        .invalidValue, key: key, message: "the password is longer than \(limit) bytes, the maximum for protocol \(protocolVersion.rawValue)")
    }
    return (username, password)
  }

  /// The RMCP+ cipher suites FreeIPMI implements (IPMI 2.0 §22.15.2, table 22-20); 3 (HMAC-SHA1,
  /// HMAC-SHA1-96, AES-CBC-128) is the one every BMC offers.
  static let cipherSuites: [UInt8] = [0, 1, 2, 3, 6, 7, 8, 11, 12, 15, 16, 17]

  private static func cipherSuite(_ value: ConfigValue?) throws(ConfigError) -> UInt8 {
    guard let value = ConfigField.present(value) else { return 3 }
    guard case .int(let number) = value, let id = UInt8(exactly: number), cipherSuites.contains(id) else {
      throw ConfigError(
        .invalidValue, key: "cipherSuite", message: "expected a cipher suite ID FreeIPMI supports: \(cipherSuites.map(String.init).joined(separator: ", "))")
    }
    return id
  }
}
