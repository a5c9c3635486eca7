public import Foundation
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
///       cipherSuite: 3                  # RMCP+ cipher suite ID, 0-17; default 3
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
  ///   of the wrong type or out of range, or both `password` and `passwordFile`;
  ///   `.missingValue` for no `host`, `username` or password; `.missingFile` for a password
  ///   file that cannot be read.
  public init(_ item: ConfigValue) throws(ConfigError) {
    guard let pairs = item.mapPairs else {
      throw ConfigError(.invalidValue, message: "an IPMI BMC entry must be a mapping with the keys \(Self.keys.joined(separator: ", "))")
    }
    let known = Set(Self.keys.map { $0.lowercased() })
    if let unknown = pairs.first(where: { !known.contains($0.key.lowercased()) }) {
      throw ConfigError(
        .invalidValue, key: unknown.key, message: "unknown key '\(unknown.key)'; an IPMI BMC has only \(Self.keys.joined(separator: ", "))")
    }
    guard let hostValue = Self.present(item["host"]) else {
      throw ConfigError(.missingValue, key: "host", message: "required: the BMC's address, such as 10.0.0.7")
    }
    host = try Self.string(hostValue, key: "host").trimmingCharacters(in: .whitespaces)
    guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else {
      throw ConfigError(.invalidValue, key: "host", message: "'\(host)' is not a host name or address")
    }
    port = try Self.integer(item["port"], key: "port", in: 1...65535, default: 623)
    guard let user = Self.present(item["username"]) else {
      throw ConfigError(.missingValue, key: "username", message: "required: the BMC user to log in as")
    }
    username = try Self.string(user, key: "username")
    password = try Self.password(item)
    privilege = try Self.choice(item["privilege"], key: "privilege", default: .admin)
    cipherSuite = UInt8(try Self.integer(item["cipherSuite"], key: "cipherSuite", in: 0...17, default: 3))
    protocolVersion = try Self.choice(item["protocol"], key: "protocol", default: .lanplus)
    timeout = try Self.timeout(item["timeout"])
  }

  public var description: String {
    "IPMIEndpointSettings(endpoint: \(endpoint), privilege: \(privilege.rawValue), protocol: \(protocolVersion.rawValue), "
      + "cipherSuite: \(cipherSuite), timeout: \(GoDuration.format(timeout)), credentials not shown)"
  }

  private static func present(_ value: ConfigValue?) -> ConfigValue? {
    guard let value, value != .null else { return nil }
    return value
  }

  /// Credentials must be quoted strings: YAML would turn `password: 0123` into the integer 83.
  private static func string(_ value: ConfigValue, key: String) throws(ConfigError) -> String {
    guard case .string(let text) = value else { throw ConfigError(.invalidValue, key: key, message: "expected a string (quote it)") }
    return text
  }

  private static func integer(_ value: ConfigValue?, key: String, in range: ClosedRange<Int>, default fallback: Int) throws(ConfigError) -> Int {
    guard let value = present(value) else { return fallback }
    guard case .int(let number) = value, range.contains(Int(clamping: number)) else {
      throw ConfigError(.invalidValue, key: key, message: "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return Int(number)
  }

  private static func choice<T: RawRepresentable & CaseIterable>(_ value: ConfigValue?, key: String, default fallback: T) throws(ConfigError) -> T
  where T.RawValue == String {
    guard let value = present(value) else { return fallback }
    let names = T.allCases.map(\.rawValue)
    guard case .string(let text) = value, let chosen = T(rawValue: text.lowercased()) else {
      throw ConfigError(.invalidValue, key: key, message: "expected one of \(names.joined(separator: ", "))")
    }
    return chosen
  }

  private static func password(_ item: ConfigValue) throws(ConfigError) -> String {
    let inline = present(item["password"])
    let file = present(item["passwordFile"])
    if inline != nil, file != nil {
      throw ConfigError(.invalidValue, key: "passwordFile", message: "give password or passwordFile, not both")
    }
    if let inline { return try string(inline, key: "password") }
    guard let file else {
      throw ConfigError(.missingValue, key: "password", message: "required: password or passwordFile")
    }
    let path = try string(file, key: "passwordFile")
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ConfigError(.missingFile, key: "passwordFile", message: "cannot read '\(path)': \((error as NSError).localizedDescription)")
    }
    guard var text = String(data: data, encoding: .utf8) else {
      throw ConfigError(.invalidValue, key: "passwordFile", message: "'\(path)' is not UTF-8 text")
    }
    if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
    // IPMI 2.0 passwords are at most 20 bytes (§13.31), 1.5 ones 16.
    guard text.utf8.count <= 20 else {
      throw ConfigError(.invalidValue, key: "passwordFile", message: "'\(path)' holds more than 20 bytes, the IPMI maximum")
    }
    return text
  }

  private static func timeout(_ value: ConfigValue?) throws(ConfigError) -> Duration {
    guard let value = present(value) else { return defaultTimeout }
    guard case .string(let text) = value, text.count <= 16, !text.contains("-"), let duration = GoDuration.parse(text),
      duration >= .milliseconds(100), duration <= .seconds(600)
    else {
      throw ConfigError(.invalidValue, key: "timeout", message: "expected a Go duration from 100ms to 10m, such as 5s")
    }
    return duration
  }
}
