/// One configuration key, declared once in ``ServerConfiguration/keys``: its dotted name, the
/// field of ``ServerConfiguration`` it sets (which gives its type, and its default through the
/// initialisers), what it means, and whether it is a credential.
///
/// Everything else is derived from the declarations: the `SYNSE_*` variable (the dotted name
/// upper-cased, `.` → `_`), the sections a file may hold, the unknown-key warnings, the
/// `/v3/config` defaults, the redaction of secrets and the README's configuration table.
struct ConfigurationKey: Sendable {
  /// The dotted path split (`["cache", "device", "rebuild_every"]`).
  let path: [String]
  /// The README's "meaning" column.
  let description: String
  /// Shown as ``ServerConfiguration/redactedValue`` in `/v3/config`, errors and printed forms.
  let secret: Bool
  /// Listed in `/v3/config` when neither the file nor the environment sets it, as the
  /// original server's dump of its defaults does.
  let dumped: Bool
  /// A map of names to strings (`…endpoints.labels`): any key below it is taken, and its
  /// variables are `<VARIABLE>_<NAME>`.
  let isMap: Bool
  /// The README's default column when the initialiser's value is not what an operator sees
  /// (a default computed where it is used).
  let shownDefault: String?
  /// The tree form of a `SYNSE_*` value, or nil when the value means "unset".
  let environmentValue: @Sendable (String) -> EnvironmentValue
  /// Sets the field from a tree value; returns what was expected when the value does not fit.
  let apply: @Sendable (JSONValue, inout ServerConfiguration) -> String?
  /// The field's value in a default ``ServerConfiguration``, in tree form (nil: unset).
  let defaultValue: @Sendable () -> JSONValue?

  var dotted: String { path.joined(separator: ".") }
  var variable: String { "SYNSE_" + path.joined(separator: "_").uppercased() }

  /// What a `SYNSE_*` value turned into.
  enum EnvironmentValue {
    case unset
    case value(JSONValue)
    /// The text is not of the key's type; the message names what was expected.
    case invalid(expected: String)
  }

  /// What an empty `SYNSE_*` list variable means.
  enum EmptyVariable: Sendable {
    /// Unset (docs/api-v3.md §9.3; `X=${X}` in a compose file).
    case unset
    /// The empty list, so `SYNSE_PLUGIN_EMBEDDED=` turns embedded plugins off.
    case none
  }

  /// Declares a key.
  ///
  /// - Parameters:
  ///   - name: the dotted key (`metrics.auth.token`).
  ///   - field: where the value goes; its type decides how file and variable text is read.
  ///   - description: the README's "meaning" column.
  ///   - secret: a credential (redacted everywhere it could be shown).
  ///   - dumped: listed in `/v3/config` even when unset (the original's defaults).
  ///   - shownDefault: README default text replacing the initialiser's value.
  ///   - emptyVariable: what an empty list variable means.
  ///   - rule: a narrower set of values than the type's (a port range, `host:port` items).
  init<Value: ConfigurationValue>(
    _ name: String, _ field: any WritableKeyPath<ServerConfiguration, Value> & Sendable, _ description: String,
    secret: Bool = false, dumped: Bool = false, shownDefault: String? = nil,
    emptyVariable: EmptyVariable = .unset, rule: ConfigurationRule<Value>? = nil
  ) {
    path = name.split(separator: ".").map(String.init)
    self.description = description
    self.secret = secret
    self.dumped = dumped
    self.shownDefault = shownDefault
    isMap = Value.isMap
    environmentValue = { raw in
      if raw.isEmpty, emptyVariable == .none, Value.isList { return .value(.array([])) }
      return Value.environmentValue(raw)
    }
    apply = { json, configuration in
      guard let value = Value(configuration: json) else { return Value.expected }
      if let rule, !rule.accepts(value) { return rule.expected }
      configuration[keyPath: field] = value
      return nil
    }
    defaultValue = { ServerConfiguration()[keyPath: field].configurationValue }
  }
}

/// A narrower set of values than a key's type takes, and how to say so in an error.
struct ConfigurationRule<Value>: Sendable {
  let expected: String
  let accepts: @Sendable (Value) -> Bool
}

extension ConfigurationRule where Value == Int {
  static var port: Self { .init(expected: "a port number 0-65535") { (0...65535).contains($0) } }
  static var positive: Self { .init(expected: "a positive integer") { $0 > 0 } }
}

extension ConfigurationRule where Value == Int? {
  static var port: Self { .init(expected: ConfigurationRule<Int>.port.expected) { $0.map(ConfigurationRule<Int>.port.accepts) ?? true } }
}

extension ConfigurationRule where Value == [String] {
  static var tcpAddresses: Self {
    .init(expected: "a list of host:port addresses (the port is required)") { $0.allSatisfy(PluginEndpoint.isTCPAddress) }
  }
}
