/// Where each key's value came from, so that every configuration error names the file path or
/// the `SYNSE_*` variable that holds the bad value, not "defaults and environment".
struct ConfigurationOrigins: Sendable {
  /// The config file read, if any, and its tree (before the environment is merged).
  var file: String?
  var fileTree: JSONValue = .object([])
  /// The process environment (only `SYNSE_*` names are looked at).
  var environment: [String: String] = [:]

  /// The variable that sets `key` (a map key: the first of its `<VARIABLE>_<NAME>`), else the
  /// file when it sets it, else nil (the default).
  func origin(of key: ConfigurationKey) -> String? {
    if key.isMap {
      if let name = environment.keys.sorted().first(where: { $0.hasPrefix(key.variable + "_") && environment[$0] != "" }) { return name }
    } else if let raw = environment[key.variable], !raw.isEmpty {
      return key.variable
    }
    if let file, ServerConfiguration.value(at: key.path, in: fileTree) != nil { return file }
    return nil
  }

  /// The origins of the dotted keys that are set, distinct and joined (`SYNSE_SSL_CERT and
  /// /etc/synse/server/config.yml`); `defaults` when none is.
  func origin(of dotted: [String]) -> String {
    var seen: [String] = []
    for name in dotted {
      guard let key = ServerConfiguration.keys.first(where: { $0.dotted == name }), let origin = origin(of: key) else { continue }
      if !seen.contains(origin) { seen.append(origin) }
    }
    return seen.isEmpty ? "defaults" : seen.joined(separator: " and ")
  }
}

extension ServerConfiguration {
  /// One warning line per key of the file and `SYNSE_*` variable that nothing reads.
  ///
  /// ```
  /// environment variable SYNSE_PORTT is not one synse-server knows; it is ignored
  /// key 'server.port' in ./config.yml is not one synse-server knows; it is ignored
  /// ```
  public var unknownKeyWarnings: [String] {
    unknownKeys.map { "key '\($0)' in \(configFile ?? "the configuration") is not one synse-server knows; it is ignored" }
      + unknownVariables.map { "environment variable \($0) is not one synse-server knows; it is ignored" }
  }
}
