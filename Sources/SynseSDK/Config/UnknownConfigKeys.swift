/// A plugin config key or `PLUGIN_*` variable that names no setting the SDK reads. Like the
/// Go SDK, the SDK ignores such keys, so a typo (`adress:`, `PLUGIN_SETINGS_READ_INTERVAL`)
/// would silently leave the default in place; ``Plugin/load(loader:logger:)`` logs one
/// warning per key (so `--dry-run` shows them too), as synse-server does for its own keys.
public struct UnknownConfigKey: Sendable, Equatable, CustomStringConvertible {
  /// The dotted key as written (`settings.reed`), or the variable name (`PLUGIN_ADRESS`).
  public let key: String
  /// The file that holds it, `built-in default config`, or `environment` for a variable.
  public let source: String

  /// The warning, e.g. `plugin config key 'adress' in /etc/x/config.yml is not one the SDK knows; it is ignored`.
  public var description: String {
    source == Self.environment
      ? "variable '\(key)' names no plugin config key the SDK knows; it is ignored"
      : "plugin config key '\(key)' in \(source) is not one the SDK knows; it is ignored"
  }

  static let environment = "environment"
}

extension PluginConfig {
  /// Every key path the SDK reads, lower-cased (keys match case-insensitively): ``keys``,
  /// plus the keys `network` and `dynamicRegistration.config`, which are read apart
  /// (`PluginConfig.network(_:)`, `init(tree:file:)`). `dynamicRegistration.config` items
  /// are the plugin's own, so nothing under it is checked.
  static let knownPaths: Set<[String]> = Set(
    (keys.map(\.path) + [
      ["network", "type"], ["network", "address"], ["network", "tls", "cert"], ["network", "tls", "key"],
      ["network", "tls", "caCerts"], ["network", "tls", "skipVerify"], ["dynamicRegistration", "config"],
    ]).map { $0.map { $0.lowercased() } })

  /// The keys of `tree` (a plugin config file's top-level mapping) that no known path names,
  /// dotted as written, in file order. A section (`settings`) is descended into; a key that
  /// is neither a known key nor a known section is reported whole, once.
  static func unknownKeys(in tree: ConfigValue) -> [String] {
    var unknown: [String] = []
    func walk(_ value: ConfigValue, written: [String], path: [String]) {
      for (key, child) in value.mapPairs ?? [] {
        let childPath = path + [key.lowercased()]
        if knownPaths.contains(childPath) { continue }
        if knownPaths.contains(where: { $0.starts(with: childPath) }) {
          walk(child, written: written + [key], path: childPath)
        } else {
          unknown.append((written + [key]).joined(separator: "."))
        }
      }
    }
    walk(tree, written: [], path: [])
    return unknown
  }
}

extension ConfigLoader {
  /// What ``loadPluginConfig(base:)`` would ignore: keys of `base` (the plugin's built-in
  /// default, if any) and of each plugin config file that ``PluginConfig/knownPaths`` does
  /// not name, then `PLUGIN_*` override variables (every one but `PLUGIN_CONFIG` and
  /// `PLUGIN_DEVICE_CONFIG`, docs/plugin-protocol.md §3.1.1) whose path is no known key.
  ///
  /// - Throws: ``ConfigError`` when a file cannot be read (as loading it would).
  public func unknownPluginConfigKeys(base: ConfigValue? = nil) throws(ConfigError) -> [UnknownConfigKey] {
    var unknown = base.map { PluginConfig.unknownKeys(in: $0).map { UnknownConfigKey(key: $0, source: "built-in default config") } } ?? []
    for file in try pluginConfigFiles() {
      unknown += PluginConfig.unknownKeys(in: try read(file)).map { UnknownConfigKey(key: $0, source: file) }
    }
    for name in overrideVariables() where !PluginConfig.knownPaths.contains(Self.overridePath(name)) {
      unknown.append(UnknownConfigKey(key: name, source: UnknownConfigKey.environment))
    }
    return unknown
  }

  /// The `PLUGIN_*` variables read as config overrides, in name order.
  func overrideVariables() -> [String] {
    environment.keys.filter { $0.hasPrefix("PLUGIN_") && $0 != "PLUGIN_CONFIG" && $0 != "PLUGIN_DEVICE_CONFIG" }.sorted()
  }

  /// The key path a variable sets: `PLUGIN_SETTINGS_READ_INTERVAL` → `settings.read.interval`.
  static func overridePath(_ name: String) -> [String] {
    name.dropFirst("PLUGIN_".count).lowercased().split(separator: "_").map(String.init)
  }
}
