public import Foundation
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
    guard let pairs = item.mapPairs else {
      throw ConfigError(.invalidValue, message: "a Redfish endpoint entry must be a mapping with the keys \(Self.keys.joined(separator: ", "))")
    }
    let known = Set(Self.keys.map { $0.lowercased() })
    if let unknown = pairs.first(where: { !known.contains($0.key.lowercased()) }) {
      throw ConfigError(
        .invalidValue, key: unknown.key,
        message: "unknown key '\(unknown.key)'; a Redfish endpoint has only \(Self.keys.joined(separator: ", "))")
    }
    guard let endpointValue = Self.present(item["endpoint"]) else {
      throw ConfigError(.missingValue, key: "endpoint", message: "required: the BMC's base URL, such as https://10.0.0.5")
    }
    let (endpoint, isHTTPS) = try Self.endpoint(Self.string(endpointValue, key: "endpoint"))
    self.endpoint = endpoint
    (username, password) = try Self.credentials(item)
    trust = try Self.trust(item, isHTTPS: isHTTPS)
    timeout = try Self.timeout(item["timeout"])
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

  /// `null` (`~`, empty) counts as absent, as SDK look-ups treat it.
  private static func present(_ value: ConfigValue?) -> ConfigValue? {
    guard let value, value != .null else { return nil }
    return value
  }

  /// Credentials must be quoted strings: YAML would turn `password: 0123` into the integer 83.
  private static func string(_ value: ConfigValue, key: String) throws(ConfigError) -> String {
    guard case .string(let text) = value else {
      throw ConfigError(.invalidValue, key: key, message: "expected a string (quote it)")
    }
    return text
  }

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
    if let port = url.port, !(1...65535).contains(port) {
      throw ConfigError(.invalidValue, key: "endpoint", message: "'\(text)' has port \(port), outside 1-65535")
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
    let username = try present(item["username"]).map { (value) throws(ConfigError) in try string(value, key: "username") }
    let inline = present(item["password"])
    let file = present(item["passwordFile"])
    if inline != nil, file != nil {
      throw ConfigError(.invalidValue, key: "passwordFile", message: "give password or passwordFile, not both")
    }
    var password: String?
    if let inline { password = try string(inline, key: "password") }
    if let file { password = try readPasswordFile(string(file, key: "passwordFile")) }
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

  /// The file's text without its trailing newline (editors and `echo` add one).
  private static func readPasswordFile(_ path: String) throws(ConfigError) -> String {
    let data = try read(path, key: "passwordFile")
    guard var text = String(data: data, encoding: .utf8) else {
      throw ConfigError(.invalidValue, key: "passwordFile", message: "'\(path)' is not UTF-8 text")
    }
    // "\r\n" is one Character in Swift: it neither has the suffix "\n" nor needs two removals.
    if text.hasSuffix("\n") || text.hasSuffix("\r\n") { text.removeLast() }
    return text
  }

  /// Foundation's own errors name a Cocoa domain and code ("NSCocoaErrorDomain 256") for a
  /// directory or an unreadable file, so those causes are checked and said first.
  private static func read(_ path: String, key: String) throws(ConfigError) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw ConfigError(.missingFile, key: key, message: "cannot read '\(path)': no such file")
    }
    if isDirectory.boolValue {
      throw ConfigError(.missingFile, key: key, message: "cannot read '\(path)': it is a directory, not a file")
    }
    // stat follows symbolic links (Kubernetes mounts secrets as links into ..data/).
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      throw ConfigError(.missingFile, key: key, message: "cannot read '\(path)': not a regular file")
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw ConfigError(.missingFile, key: key, message: "cannot read '\(path)': permission denied")
    }
    do {
      return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
      throw ConfigError(.missingFile, key: key, message: "cannot read '\(path)': \(reason)")
    }
  }

  private static func trust(_ item: ConfigValue, isHTTPS: Bool) throws(ConfigError) -> Trust {
    let caFile = try present(item["caFile"]).map { (value) throws(ConfigError) in try string(value, key: "caFile") }
    var skip = false
    if let value = present(item["insecureSkipVerify"]) {
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
    let bytes = try read(caFile, key: "caFile")
    guard let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(bytes)), !certificates.isEmpty else {
      throw ConfigError(.invalidValue, key: "caFile", message: "'\(caFile)' holds no PEM certificate")
    }
    return .caFile(path: caFile, certificates: certificates)
  }

  private static func timeout(_ value: ConfigValue?) throws(ConfigError) -> Duration {
    guard let value = present(value) else { return defaultTimeout }
    let message = "expected a Go duration from 100ms to 10m, such as 15s or 1m30s"
    // Bounded before parsing as well (at most 16 characters, digit runs of at most 6): no
    // timeout of up to 10m needs more, and GoDuration.parse (nil past Int64 nanoseconds) then
    // sees only short text.
    guard case .string(let text) = value, text.count <= 16, !text.contains("-"), Self.longestDigitRun(text) <= 6,
      let duration = GoDuration.parse(text), duration >= .milliseconds(100), duration <= .seconds(600)
    else {
      throw ConfigError(.invalidValue, key: "timeout", message: message)
    }
    return duration
  }

  private static func longestDigitRun(_ text: String) -> Int {
    var longest = 0
    var run = 0
    for character in text {
      run = character.isASCII && character.isNumber ? run + 1 : 0
      longest = max(longest, run)
    }
    return longest
  }
}
