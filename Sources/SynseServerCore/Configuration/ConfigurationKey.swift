import SynseSupport

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
  /// Credential fields of a list's entries, dotted (`webhooks.secret`); see ``secret``.
  let secretFields: [String]
  /// Sets the field from a tree value; when the value does not fit, returns what is wrong
  /// with it, naming the key (`'port' must be an integer, got "5000" (…)`, `'plugin.unix' has
  /// a blank entry (…)`, `'webhooks[1].types' has unknown …`), a credential's value never shown.
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
    secretFields = Value.secretFields.map { "\(name).\($0)" }
    environmentValue = { raw in
      // docs/api-v3.md §9.3: an empty variable is unset, whatever the key's type (`X=${X}` in
      // a compose file), so an empty token or address never replaces the file's or the default.
      if raw.isEmpty { return emptyVariable == .none && Value.isList ? .value(.array([])) : .unset }
      return Value.environmentValue(raw)
    }
    apply = { json, configuration in
      let shown = secret || !Value.secretFields.isEmpty ? ServerConfiguration.redactedValue : json.serialized(pretty: false)
      guard let value = Value(configuration: json) else {
        if let problem = Value.problem(with: json) { return problem }
        // `port: "5000"`, `pretty_json: "true"`: YAML quotes make a string, as in the original
        // (bison checks the field's type), so say why rather than only what.
        let quoted = Value(configuration: json.unquoted) != nil ? " (a quoted string: write it without quotes)" : ""
        return "'\(name)' must be \(Value.expected), got \(shown)\(quoted)"
      }
      // One rule for every list key: a blank entry (`a,,b`, `[""]`) is a typo, never a name
      // (an empty socket name would be the socket directory itself).
      if let blank = value.blankEntry { return "'\(name)' has a blank entry (entry \(blank + 1) of \(shown))" }
      if let rule, let problem = rule.problem(value) { return "'\(name)' must be \(problem), got \(shown)" }
      configuration[keyPath: field] = value
      return nil
    }
    defaultValue = { ServerConfiguration()[keyPath: field].configurationValue }
  }
}

extension JSONValue {
  /// What a quoted scalar would be without its quotes (`"5000"` → 5000, `"true"` → true);
  /// anything else as it is.
  var unquoted: JSONValue {
    guard case .string(let text) = self else { return self }
    if let number = Int64(text) { return .int(number) }
    if ["true", "false"].contains(text.lowercased()) { return .bool(text.lowercased() == "true") }
    return self
  }
}

/// A narrower set of values than a key's type takes, and how to say so in an error.
struct ConfigurationRule<Value>: Sendable {
  /// What the value must be (`a port number 0-65535`), nil when it is accepted.
  let problem: @Sendable (Value) -> String?

  init(expected: String, accepts: @escaping @Sendable (Value) -> Bool) {
    problem = { accepts($0) ? nil : expected }
  }

  init(problem: @escaping @Sendable (Value) -> String?) { self.problem = problem }
}

extension ConfigurationRule where Value == Int {
  static var port: Self { .init(expected: "a port number 0-65535") { (0...65535).contains($0) } }
  static var positive: Self { .init(expected: "a positive integer") { $0 > 0 } }
  static var nonNegative: Self { .init(expected: "an integer of 0 or more") { $0 >= 0 } }
}

extension ConfigurationRule where Value == Int? {
  static var positive: Self { .init { $0.flatMap(ConfigurationRule<Int>.positive.problem) } }
}

extension ConfigurationRule where Value == Int? {
  static var port: Self { .init { $0.flatMap(ConfigurationRule<Int>.port.problem) } }
}

extension ConfigurationRule where Value == String? {
  /// `host:port` with a port a client can send to (1-65535), read by SynseSupport's
  /// ``HostPort``, the parser every `host:port` key uses.
  static var dialledHostPort: Self {
    .init { text in
      guard let text else { return nil }
      do throws(HostPortError) {
        guard try HostPort(parsing: text).port != 0 else { return "host:port with a port from 1 to 65535 (port 0 cannot be dialled)" }
        return nil
      } catch {
        // HostPort's own port message names 0-65535, the range a listener takes.
        guard error.code != .invalidPort else { return "host:port with a port from 1 to 65535" }
        return "host:port with a port from 1 to 65535 (\(error.code.rawValue): \(error.message))"
      }
    }
  }
}

extension ConfigurationRule where Value == String? {
  /// A credential: an empty or blank one would lock `/metrics` for everyone (token) or let
  /// anyone in (`-u :`), so it is refused rather than taken as set.
  static var credential: Self { .init(expected: "a non-blank value (leave the key out to unset it)") { $0.map { !$0.allSatisfy(\.isWhitespace) } ?? true } }
}

extension ConfigurationRule where Value == [String] {
  static var tcpAddresses: Self {
    // Each entry by the one host:port rule, so the error says what is wrong with which entry.
    .init { addresses in
      for address in addresses {
        if let problem = ConfigurationRule<String?>.dialledHostPort.problem(address) { return "host:port addresses; entry '\(address)' is not \(problem)" }
      }
      return nil
    }
  }
}

extension ConfigurationRule where Value == String {
  /// What may stand before a Prometheus metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`, or nothing.
  static var metricNamePrefix: Self {
    .init(expected: "letters, digits, '_' and ':', not starting with a digit (or empty for none)") { text in
      text.isEmpty
        || (text.first.map { !$0.isNumber } ?? true)
          && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }
  }
}

extension ConfigurationRule where Value == [String: String] {
  /// OpenTelemetry attribute names: not empty, and printable without blanks (a collector's
  /// processors and Prometheus label mapping take them as names).
  static var attributeNames: Self {
    .init(expected: "a mapping of attribute names (not empty, no blanks or control characters) to values") { attributes in
      attributes.keys.allSatisfy { name in !name.isEmpty && !name.contains { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false } }
    }
  }
}
