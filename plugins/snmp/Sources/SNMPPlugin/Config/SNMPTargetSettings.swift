import Foundation
public import SynseSDK
public import SynseSupport

/// One SNMP agent of the plugin: one `dynamicRegistration.config` item (issue 20).
///
/// ```yaml
/// dynamicRegistration:
///   config:
///     - address: pdu-r12.example.net     # host:port, port 161 by default; [v6]:port
///       version: v2c                     # v2c (default) or v3
///       community: synse-ro              # v2c: required
///     - address: 10.0.0.9:161
///       version: v3
///       user: synse                      # v3: required
///       authProtocol: SHA256             # MD5, SHA, SHA224, SHA256, SHA384, SHA512
///       authKey: "…"                     # at least 8 characters (RFC 3414 §11.2)
///       privProtocol: AES                # DES, AES, AES192, AES256 (needs authentication)
///       privKey: "…"
///       contextName: ""                  # default empty
///       profile: apc-rpdu2               # default: chosen by sysObjectID.0
///       timeout: 2s                      # per request attempt, a Go duration
///       retries: 1                       # further attempts after a timeout (0-10)
/// ```
///
/// Nothing here prints a community or key.
public struct SNMPTargetSettings: Sendable, CustomStringConvertible {
  public enum Version: String, Sendable, CaseIterable {
    case v2c, v3
  }

  /// USM authentication protocols (RFC 3414, RFC 7860), as net-snmp names them.
  public enum AuthProtocol: String, Sendable, CaseIterable {
    case MD5, SHA, SHA224, SHA256, SHA384, SHA512

    var code: Int32 { Int32(Self.allCases.firstIndex(of: self)! + 1) }
  }

  /// USM privacy protocols (RFC 3414 DES, RFC 3826 AES; AES192/256 as net-snmp implements them).
  public enum PrivProtocol: String, Sendable, CaseIterable {
    case DES, AES, AES192, AES256

    var code: Int32 { Int32(Self.allCases.firstIndex(of: self)! + 1) }
  }

  /// The keys an item may have; any other is refused (a typo such as `comunity` would
  /// otherwise be a silent timeout).
  public static let keys = [
    "address", "version", "community", "user", "authProtocol", "authKey", "privProtocol", "privKey", "contextName", "profile",
    "timeout", "retries",
  ]
  public static let defaultTimeout: Duration = .seconds(2)

  public var address: HostPort
  public var version: Version
  var community: String
  public var user: String
  public var authProtocol: AuthProtocol?
  var authKey: String
  public var privProtocol: PrivProtocol?
  var privKey: String
  public var contextName: String
  public var profile: String?
  public var timeout: Duration
  public var retries: Int

  /// `host:port`, the target's name in logs, tags and device identities.
  public var endpoint: String { address.description }

  /// `host:port`, and the context when there is one: the target's name in health checks.
  public var name: String { contextName.isEmpty ? endpoint : "\(endpoint) context \(contextName)" }

  /// Parses one `dynamicRegistration.config` item.
  /// - Throws: ``ConfigError`` naming the bad key: `.invalidValue` for an unknown key, a value
  ///   of the wrong type or out of range, keys of the other version (a community with v3, a
  ///   user with v2c), a key shorter than 8 characters, a privacy protocol without
  ///   authentication; `.missingValue` for no `address`, no community (v2c), no user (v3), or
  ///   a protocol without its key.
  public init(_ item: ConfigValue) throws(ConfigError) {
    let addressValue = try ConfigField.registrationItem(
      item, known: Self.keys, name: "an SNMP target", required: "address", meaning: "the agent's host:port, such as 10.0.0.9:161")
    address = try Self.address(ConfigField.cString(ConfigField.string(addressValue, key: "address"), key: "address"))
    version = try ConfigField.choice(item["version"], key: "version", default: .v2c)
    timeout = try ConfigField.duration(item["timeout"], key: "timeout", default: Self.defaultTimeout, in: .milliseconds(100) ... .seconds(60))
    retries = try ConfigField.integer(item["retries"], key: "retries", in: 0...10, default: 1)
    profile = try ConfigField.present(item["profile"]).map { value throws(ConfigError) in try ConfigField.string(value, key: "profile") }
    let text = { (key: String) throws(ConfigError) -> String? in
      try ConfigField.present(item[key]).map { value throws(ConfigError) in try ConfigField.cString(ConfigField.string(value, key: key), key: key) }
    }
    (community, user, authKey, privKey, contextName) = ("", "", "", "", "")
    switch version {
    case .v2c:
      for key in ["user", "authProtocol", "authKey", "privProtocol", "privKey", "contextName"] where ConfigField.present(item[key]) != nil {
        throw ConfigError(.invalidValue, key: key, message: "applies only to version v3")
      }
      guard let community = try text("community") else {
        throw ConfigError(.missingValue, key: "community", message: "required for version v2c")
      }
      guard !community.isEmpty else { throw ConfigError(.invalidValue, key: "community", message: "must not be empty") }
      self.community = community
    case .v3:
      if ConfigField.present(item["community"]) != nil {
        throw ConfigError(.invalidValue, key: "community", message: "applies only to version v2c (v3 uses user and keys)")
      }
      guard let user = try text("user"), !user.isEmpty else {
        throw ConfigError(.missingValue, key: "user", message: "required for version v3: the USM user name (1 to 32 bytes)")
      }
      guard user.utf8.count <= 32 else { throw ConfigError(.invalidValue, key: "user", message: "longer than 32 bytes (SnmpAdminString, RFC 3414)") }
      self.user = user
      contextName = try text("contextName") ?? ""
      authProtocol = try ConfigField.present(item["authProtocol"]).map { value throws(ConfigError) in
        try ConfigField.choice(value, key: "authProtocol", default: AuthProtocol.SHA)
      }
      privProtocol = try ConfigField.present(item["privProtocol"]).map { value throws(ConfigError) in
        try ConfigField.choice(value, key: "privProtocol", default: PrivProtocol.AES)
      }
      authKey = try Self.key(text("authKey"), key: "authKey", protocolKey: "authProtocol", protocolSet: authProtocol != nil)
      privKey = try Self.key(text("privKey"), key: "privKey", protocolKey: "privProtocol", protocolSet: privProtocol != nil)
      if privProtocol != nil, authProtocol == nil {
        throw ConfigError(.invalidValue, key: "privProtocol", message: "needs authProtocol and authKey too (USM has no privacy without authentication)")
      }
    }
  }

  public var description: String {
    "SNMPTargetSettings(endpoint: \(endpoint), version: \(version.rawValue), profile: \(profile ?? "by sysObjectID"), "
      + "timeout: \(GoDuration.format(timeout)), retries: \(retries), credentials not shown)"
  }

  /// `host:port` or `host` (port 161, RFC 3417 §4); an IPv6 address in brackets.
  private static func address(_ text: String) throws(ConfigError) -> HostPort {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if !trimmed.hasPrefix("["), trimmed.filter({ $0 == ":" }).count > 1 {
      throw ConfigError(.invalidValue, key: "address", message: "'\(text)': an IPv6 address goes in brackets, such as [fd00::9]:161")
    }
    // A bracket left open is HostPort's to name, on the text as given.
    let hasPort = trimmed.hasPrefix("[") ? (trimmed.contains("]:") || !trimmed.contains("]")) : trimmed.contains(":")
    let parsed: HostPort
    do throws(HostPortError) {
      parsed = try HostPort(parsing: hasPort ? trimmed : trimmed + ":161")
    } catch {
      throw ConfigError(.invalidValue, key: "address", message: "'\(text)' is not host:port: \(error)")
    }
    guard !parsed.host.isEmpty else { throw ConfigError(.invalidValue, key: "address", message: "'\(text)' has no host") }
    guard parsed.port > 0 else { throw ConfigError(.invalidValue, key: "address", message: "'\(text)': expected a port from 1 to 65535") }
    return parsed
  }

  private static func key(_ value: String?, key: String, protocolKey: String, protocolSet: Bool) throws(ConfigError) -> String {
    switch (value, protocolSet) {
    case (nil, false): return ""
    case (nil, true): throw ConfigError(.missingValue, key: key, message: "required with \(protocolKey)")
    case (.some, false): throw ConfigError(.invalidValue, key: key, message: "needs \(protocolKey) too")
    case (.some(let text), true):
      guard text.utf8.count >= 8 else { throw ConfigError(.invalidValue, key: key, message: "shorter than 8 characters, the USM minimum (RFC 3414 §11.2)") }
      return text
    }
  }

  /// The target as each numeric address its host resolves to, with port and context
  /// (`127.0.0.1:161 context pdu`): two names of one agent share one. Empty when the host does
  /// not resolve now.
  var resolvedNames: [String] {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
    var result: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(address.host, nil, &hints, &result) == 0 else { return [] }
    defer { freeaddrinfo(result) }
    var names: [String] = []
    var entry = result
    while let current = entry {
      var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
      if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
        let numeric = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let endpoint = HostPort(host: numeric, port: address.port).description
        names.append(contextName.isEmpty ? endpoint : "\(endpoint) context \(contextName)")
      }
      entry = current.pointee.ai_next
    }
    return Array(Set(names)).sorted()
  }

  /// net-snmp's peer name: transport, host and port.
  var peerName: String { address.host.contains(":") ? "udp6:[\(address.host)]:\(address.port)" : "udp:\(address.host):\(address.port)" }

  func withCredentials<T>(_ body: (_ community: String, _ authKey: String, _ privKey: String) -> T) -> T { body(community, authKey, privKey) }
}
