import Foundation
public import NIOSSL
public import SynseSDK
import SynseSupport

#if canImport(Glibc)
  import Glibc
#endif

/// One BMC of the plugin: one `dynamicRegistration.config` item of the plugin config.
///
/// ```yaml
/// dynamicRegistration:
///   config:
///     - endpoint: https://10.0.0.5        # base URL; the service root is <endpoint>/redfish/v1
///       username: admin                   # omit both username and password for no auth
///       passwordFile: /run/secrets/bmc1   # or password: "…"; a trailing newline is trimmed
///       caFile: /etc/ssl/bmc-ca.pem       # or insecureSkipVerify: true (self-signed BMCs)
///       timeout: 15s                      # per request, a Go duration; default 15s
/// ```
///
/// Files are read when the item is parsed, so a missing password or CA file stops the plugin at
/// startup with the key named. Nothing here prints the password (see ``RedfishSecret``), nor the
/// username: both are credentials.
public struct RedfishEndpointSettings: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  /// How the BMC's TLS certificate is checked (https endpoints only).
  public enum Trust: Sendable {
    /// The system's trust roots, with host name verification.
    case system
    /// Only the certificates of `caFile` (PEM), with host name verification.
    case caFile(path: String, certificates: [NIOSSLCertificate])
    /// No verification at all (`insecureSkipVerify: true`): BMCs ship self-signed certificates.
    case insecureSkipVerify
  }

  /// The keys an item may have; any other is refused (a typo such as `pasword` would
  /// otherwise silently mean "no authentication").
  public static let keys = ["endpoint", "username", "password", "passwordFile", "caFile", "insecureSkipVerify", "timeout"]
  /// Real BMCs take 1–6 s per request, more while busy.
  public static let defaultTimeout: Duration = .seconds(15)

  /// `scheme://host[:port]`, scheme lowercased, no trailing slash; paths are appended to it.
  public var endpoint: String
  /// Nil for no authentication.
  public var username: String?
  /// Set exactly when ``username`` is.
  public var password: RedfishSecret?
  public var trust: Trust
  /// Each request's deadline (connect, send, answer and body).
  public var timeout: Duration

  /// Parses one `dynamicRegistration.config` item.
  /// - Throws: ``ConfigError`` whose `key` names the item's bad key (the SDK puts
  ///   `dynamicRegistration.config[i].` before it): `.invalidValue` for an unknown key, a URL
  ///   that is not an absolute http(s) base URL, a value of the wrong type, conflicting keys
  ///   or a bad timeout; `.missingValue` for no `endpoint` or half the credentials;
  ///   `.missingFile` for a password or CA file that cannot be read.
  public init(_ item: ConfigValue) throws(ConfigError) {
    let endpointValue = try ConfigField.registrationItem(
      item, known: Self.keys, name: "a Redfish endpoint", required: "endpoint", meaning: "the BMC's base URL, such as https://10.0.0.5")
    let (endpoint, isHTTPS) = try Self.endpoint(ConfigField.string(endpointValue, key: "endpoint"))
    self.endpoint = endpoint
    (username, password) = try Self.credentials(item)
    trust = try Self.trust(item, isHTTPS: isHTTPS)
    timeout = try ConfigField.duration(item["timeout"], key: "timeout", default: Self.defaultTimeout, in: .milliseconds(100) ... .seconds(600))
  }

  public var description: String {
    let auth = username == nil ? "none" : "username and password (not shown)"
    let tls: String
    switch trust {
    case .system: tls = "system trust roots"
    case .caFile(let path, _): tls = "caFile \(path)"
    case .insecureSkipVerify: tls = "insecureSkipVerify"
    }
    return "RedfishEndpointSettings(endpoint: \(endpoint), auth: \(auth), tls: \(tls), timeout: \(GoDuration.format(timeout)))"
  }

  public var debugDescription: String { description }
  /// Only the description, so `dump` and reflection show no credentials either.
  public var customMirror: Mirror { Mirror(self, children: ["description": description], displayStyle: .struct) }

  /// - Returns: the normalised endpoint and whether it is https.
  static func endpoint(_ raw: String) throws(ConfigError) -> (String, Bool) {
    let text = raw.trimmingCharacters(in: .whitespaces)
    let example = "an absolute http:// or https:// base URL such as https://10.0.0.5"
    guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
      throw ConfigError(.invalidValue, key: "endpoint", message: "'\(text)' is not \(example)")
    }
    // Checked before anything echoes the text: it would contain the password.
    guard url.user == nil, url.password == nil else {
      throw ConfigError(.invalidValue, key: "endpoint", message: "credentials in the URL are not allowed; use username and password or passwordFile")
    }
    guard scheme == "http" || scheme == "https" else {
      throw ConfigError(.invalidValue, key: "endpoint", message: "'\(text)' is not \(example) (scheme '\(scheme)')")
    }
    guard let host = url.host, !host.isEmpty else {
      throw ConfigError(.invalidValue, key: "endpoint", message: "'\(text)' has no host; expected \(example)")
    }
    if !HostPort.hasDialablePort(url: text) {
      throw ConfigError(.invalidValue, key: "endpoint", message: "'\(text)' has port \(HostPort.writtenPort(inURL: text) ?? ""), outside 1-65535")
    }
    // `@odata.id` values are absolute paths on the host, so a path prefix could not be kept.
    guard url.path.isEmpty || url.path == "/" else {
      throw ConfigError(
        .invalidValue, key: "endpoint",
        message: "'\(text)' has a path; give the base URL only (the service root is <endpoint>/redfish/v1)")
    }
    guard url.query == nil, url.fragment == nil else {
      throw ConfigError(.invalidValue, key: "endpoint", message: "'\(text)' has a query or fragment; give the base URL only")
    }
    var normalised = scheme + text.dropFirst(scheme.count)
    while normalised.hasSuffix("/") { normalised.removeLast() }
    // The scheme's own port is the same endpoint as none (`http://bmc:80` is `http://bmc`).
    if let port = url.port, port == (scheme == "https" ? 443 : 80), normalised.hasSuffix(":\(port)") {
      normalised.removeLast(":\(port)".count)
    }
    return (normalised, scheme == "https")
  }

  private static func credentials(_ item: ConfigValue) throws(ConfigError) -> (String?, RedfishSecret?) {
    let username = try ConfigField.present(item["username"]).map { (value) throws(ConfigError) in try ConfigField.string(value, key: "username") }
    let inline = ConfigField.present(item["password"])
    let file = ConfigField.present(item["passwordFile"])
    if inline != nil, file != nil {
      throw ConfigError(.invalidValue, key: "passwordFile", message: "give password or passwordFile, not both")
    }
    var password: String?
    if let inline { password = try ConfigField.string(inline, key: "password") }
    if let file { password = try ConfigField.secretFile(ConfigField.string(file, key: "passwordFile"), key: "passwordFile") }
    if let username, username.isEmpty {
      throw ConfigError(.invalidValue, key: "username", message: "is empty; omit username and password for no authentication")
    }
    if password?.isEmpty == true {
      throw ConfigError(.invalidValue, key: file == nil ? "password" : "passwordFile", message: "the password is empty")
    }
    switch (username, password) {
    case (.some, nil):
      throw ConfigError(.missingValue, key: "password", message: "username is set but neither password nor passwordFile is")
    case (nil, .some):
      throw ConfigError(.missingValue, key: "username", message: "a password is set but no username")
    default:
      return (username, password.map(RedfishSecret.init))
    }
  }

  private static func trust(_ item: ConfigValue, isHTTPS: Bool) throws(ConfigError) -> Trust {
    let caFile = try ConfigField.present(item["caFile"]).map { (value) throws(ConfigError) in try ConfigField.string(value, key: "caFile") }
    var skip = false
    if let value = ConfigField.present(item["insecureSkipVerify"]) {
      guard case .bool(let flag) = value else {
        throw ConfigError(.invalidValue, key: "insecureSkipVerify", message: "expected true or false")
      }
      skip = flag
    }
    if caFile != nil, skip {
      throw ConfigError(.invalidValue, key: "insecureSkipVerify", message: "give caFile or insecureSkipVerify, not both")
    }
    // Refused rather than ignored: whoever sets them on http:// believes the link is verified.
    if !isHTTPS, caFile != nil || skip {
      throw ConfigError(
        .invalidValue, key: caFile != nil ? "caFile" : "insecureSkipVerify", message: "applies only to https:// endpoints")
    }
    guard let caFile else { return skip ? .insecureSkipVerify : .system }
    let bytes = try ConfigField.file(caFile, key: "caFile")
    guard let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(bytes)), !certificates.isEmpty else {
      throw ConfigError(.invalidValue, key: "caFile", message: "'\(caFile)' holds no PEM certificate")
    }
    return .caFile(path: caFile, certificates: certificates)
  }
}
