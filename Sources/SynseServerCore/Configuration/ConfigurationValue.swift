import Foundation

/// A type a configuration key can hold: how it is read from the merged tree and from a
/// `SYNSE_*` variable, and how it is written back into the tree (defaults in `/v3/config`).
protocol ConfigurationValue: Sendable {
  /// The value a tree node holds, or nil when the node is of another type.
  init?(configuration json: JSONValue)
  /// The tree form; nil for an unset optional.
  var configurationValue: JSONValue? { get }
  /// The tree form of a variable's text.
  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue
  /// What a value of this type looks like, for errors (`a string`, `true, false, 1 or 0`).
  static var expected: String { get }
  static var isList: Bool { get }
  static var isMap: Bool { get }
  /// The index of the first blank (empty or all-space) entry of a list; nil for other types.
  var blankEntry: Int? { get }
  /// For values with parts (the `webhooks` list): why `json` is not one, naming the nested
  /// key (`'webhooks[1].types' has unknown event type …`); nil: "must be <expected>".
  static func problem(with json: JSONValue) -> String?
  /// Fields of the value's entries that are credentials (`secret` of each `webhooks` entry):
  /// redacted like a `secret` key, as `<key>.<field>`.
  static var secretFields: [String] { get }
}

extension ConfigurationValue {
  static var isList: Bool { false }
  static var isMap: Bool { false }
  var blankEntry: Int? { nil }
  static func problem(with json: JSONValue) -> String? { nil }
  static var secretFields: [String] { [] }
}

extension String: ConfigurationValue {
  init?(configuration json: JSONValue) {
    guard case .string(let text) = json else { return nil }
    self = text
  }
  var configurationValue: JSONValue? { .string(self) }
  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue { .value(.string(raw)) }
  static var expected: String { "a string" }
}

extension Bool: ConfigurationValue {
  init?(configuration json: JSONValue) {
    switch json {
    case .bool(let flag): self = flag
    case .int(let number) where number == 0 || number == 1: self = number == 1
    // A quoted `"true"` is a string in the file, refused like a quoted `port: "5000"` (the
    // original's bison checks the field's type); variables are read by `environmentValue`.
    default: return nil
    }
  }
  var configurationValue: JSONValue? { .bool(self) }
  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue {
    // The original took anything but `true` as false, so `=1` or `=yes` silently turned a
    // feature off; an operator's typo now stops startup instead.
    return parse(raw).map { .value(.bool($0)) } ?? .invalid(expected: expected)
  }
  static var expected: String { "true, false, 1 or 0" }

  /// `true`/`false` in any case, `1`/`0`: the words servers of this kind document for their
  /// `…_ENABLED` variables. Nil for anything else (`yes`, `on`, `maybe`).
  static func parse(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "1": true
    case "false", "0": false
    default: nil
    }
  }
}

extension Int: ConfigurationValue {
  init?(configuration json: JSONValue) {
    guard case .int(let number) = json, let value = Int(exactly: number) else { return nil }
    self = value
  }
  var configurationValue: JSONValue? { .int(Int64(self)) }
  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue {
    Int64(raw).map { .value(.int($0)) } ?? .invalid(expected: "an integer")
  }
  static var expected: String { "an integer" }
}

/// Durations are whole seconds, at least one: the original's keys are integer seconds. At most
/// 10^9 (about 31 years): `Task.sleep` traps on more than `Int64.max` nanoseconds, and a timer
/// of 2^63 seconds stopped the server at startup.
extension Duration: ConfigurationValue {
  static let maximumConfiguredSeconds: Int64 = 1_000_000_000

  init?(configuration json: JSONValue) {
    guard case .int(let number) = json, (1...Self.maximumConfiguredSeconds).contains(number) else { return nil }
    self = .seconds(number)
  }
  var configurationValue: JSONValue? { .int(components.seconds) }
  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue { Int.environmentValue(raw) }
  static var expected: String { "an integer number of seconds from 1 to 1000000000" }
}

extension Array: ConfigurationValue where Element == String {
  init?(configuration json: JSONValue) {
    guard case .array(let items) = json else { return nil }
    var result: [String] = []
    for item in items {
      guard case .string(let text) = item else { return nil }
      result.append(text)
    }
    self = result
  }
  var configurationValue: JSONValue? { .array(map { .string($0) }) }
  /// A comma list; `a:1, b:2` as typed in a compose file: blanks around the commas are not
  /// part of an item. An empty variable never gets here (see ``ConfigurationKey/EmptyVariable``).
  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue {
    .value(.array(raw.split(separator: ",", omittingEmptySubsequences: false).map { .string($0.trimmingCharacters(in: .whitespaces)) }))
  }
  static var expected: String { "a list of strings" }
  static var isList: Bool { true }
  var blankEntry: Int? { firstIndex { $0.allSatisfy(\.isWhitespace) } }
}

extension Dictionary: ConfigurationValue where Key == String, Value == String {
  init?(configuration json: JSONValue) {
    guard case .object(let pairs) = json else { return nil }
    var result: [String: String] = [:]
    for (name, value) in pairs {
      guard case .string(let text) = value else { return nil }
      result[name] = text
    }
    self = result
  }
  var configurationValue: JSONValue? { .object(sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }) }
  /// Map keys take one variable per name (``ServerConfiguration/environmentTree(_:)``).
  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue { .value(.string(raw)) }
  static var expected: String { "a map of names to strings" }
  static var isMap: Bool { true }
}

extension Optional: ConfigurationValue where Wrapped: ConfigurationValue {
  init?(configuration json: JSONValue) {
    guard let value = Wrapped(configuration: json) else { return nil }
    self = value
  }
  var configurationValue: JSONValue? { self?.configurationValue }
  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue { Wrapped.environmentValue(raw) }
  static var expected: String { Wrapped.expected }
  static var isList: Bool { Wrapped.isList }
  static var isMap: Bool { Wrapped.isMap }
  var blankEntry: Int? { self?.blankEntry }
}

/// A key that takes one of a few words (`logging`, `metrics.readings_naming`).
protocol ConfigurationChoice: ConfigurationValue, RawRepresentable, CaseIterable where RawValue == String {}

extension ConfigurationChoice {
  init?(configuration json: JSONValue) {
    guard case .string(let text) = json else { return nil }
    self.init(rawValue: text)
  }
  var configurationValue: JSONValue? { .string(rawValue) }
  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue { .value(.string(raw)) }
  static var expected: String { "one of \(allCases.map(\.rawValue).joined(separator: ", "))" }
}

extension ServerConfiguration.LogLevel: ConfigurationChoice {}
extension MetricsOptions.ReadingsNaming: ConfigurationChoice {}
