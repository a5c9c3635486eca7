import SynseSupport

/// One plugin config key, declared once in ``PluginConfig/keys``: its dotted name (as the Go
/// SDK spells it; matched case-insensitively), the ``PluginConfig`` field it sets (which gives
/// its type and, through the initialisers, its default) and what it means.
struct PluginConfigKey: Sendable {
  let path: [String]
  let meaning: String
  /// Reads the key from the merged tree into the configuration; absent keys keep the default.
  let apply: @Sendable (ConfigReader, inout PluginConfig) throws(ConfigError) -> Void
  /// The default in tree form (durations as Go writes them), for docs and the spec check.
  let defaultValue: @Sendable () -> ConfigValue

  var dotted: String { path.joined(separator: ".") }

  /// Declares a key.
  ///
  /// - Parameters:
  ///   - name: the dotted key (`settings.read.interval`).
  ///   - field: where the value goes; its type decides how the value is read.
  ///   - meaning: what it does, for people.
  ///   - rule: a check beyond the type; returns the problem (`must be positive`) or nil.
  init<Value: PluginConfigValue>(
    _ name: String, _ field: any WritableKeyPath<PluginConfig, Value> & Sendable, _ meaning: String,
    rule: (@Sendable (Value) -> String?)? = nil
  ) {
    let path = name.split(separator: ".").map(String.init)
    self.path = path
    self.meaning = meaning
    apply = { root, config throws(ConfigError) in
      var parent: ConfigReader? = root
      for key in path.dropLast() { parent = parent?.child(key) }
      guard let parent, let leaf = path.last, let value = try Value.read(parent, leaf) else { return }
      if let problem = rule?(value) { throw parent.error(leaf, problem) }
      config[keyPath: field] = value
    }
    defaultValue = { PluginConfig()[keyPath: field].configValue }
  }
}

/// A type a plugin config key can hold, read with ``ConfigReader``'s Go-compatible rules.
protocol PluginConfigValue: Sendable {
  /// The value of `key` under `reader`, nil when absent.
  static func read(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> Self?
  var configValue: ConfigValue { get }
}

extension Bool: PluginConfigValue {
  static func read(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> Bool? { try reader.bool(key) }
  var configValue: ConfigValue { .bool(self) }
}

extension Int: PluginConfigValue {
  static func read(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> Int? { try reader.int(key) }
  var configValue: ConfigValue { .int(Int64(self)) }
}

extension String: PluginConfigValue {
  static func read(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> String? { try reader.string(key) }
  var configValue: ConfigValue { .string(self) }
}

extension Array: PluginConfigValue where Element == String {
  static func read(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> [String]? { try reader.strings(key) }
  var configValue: ConfigValue { .list(map { .string($0) }) }
}

extension Duration: PluginConfigValue {
  static func read(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> Duration? { try reader.duration(key) }
  var configValue: ConfigValue { .string(GoDuration.format(self)) }
}

extension Optional: PluginConfigValue where Wrapped: PluginConfigValue {
  static func read(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> Wrapped?? {
    try Wrapped.read(reader, key).map { .some($0) }
  }
  var configValue: ConfigValue { self?.configValue ?? .null }
}

extension PluginConfig.Mode: PluginConfigValue {
  static func read(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> Self? {
    guard let text = try reader.string(key) else { return nil }
    guard let mode = Self(rawValue: text.lowercased()) else { throw reader.error(key, "must be 'parallel' or 'serial', got '\(text)'") }
    return mode
  }
  var configValue: ConfigValue { .string(rawValue) }
}
