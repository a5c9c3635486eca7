public import Foundation

/// A value read from a YAML config file, resolved with YAML 1.1 rules as the Go SDK's
/// go-yaml v2 does (`yes`/`on` are booleans, `0x1F` and `017` are integers).
///
/// Map keys keep their spelling; look-ups through ``subscript(key:)`` ignore case, because
/// the Go SDK matches config keys to settings case-insensitively.
public enum ConfigValue: Sendable, Equatable {
  /// `~`, `null` or an empty value; look-ups treat it as absent.
  case null
  /// `true`/`false`, and YAML 1.1's `yes`/`no`/`on`/`off`.
  case bool(Bool)
  /// Integers as Go parses them: decimal, `0x`, `0o`, `0b` or leading-zero octal.
  case int(Int64)
  /// Floating-point scalars (`1.5`, `1e3`, `.inf`).
  case float(Double)
  /// Any other scalar, and every quoted one.
  case string(String)
  /// A YAML sequence.
  case list([ConfigValue])
  /// A YAML mapping in file order; a repeated key is kept, and the last one wins look-ups.
  case map([(key: String, value: ConfigValue)])

  /// Structural equality: maps compare in order, and NaN equals NaN (`.nan` in two files).
  public static func == (lhs: ConfigValue, rhs: ConfigValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.float(let a), .float(let b)): return a == b || (a.isNaN && b.isNaN)
    case (.string(let a), .string(let b)): return a == b
    case (.list(let a), .list(let b)): return a == b
    case (.map(let a), .map(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }

  /// The value under `key` in a map, matching the key case-insensitively; the last match wins.
  public subscript(key: String) -> ConfigValue? {
    guard case .map(let pairs) = self else { return nil }
    let lowered = key.lowercased()
    return pairs.last { $0.key.lowercased() == lowered }?.value
  }

  /// The pairs of a map value, or `nil` for any other value.
  public var mapPairs: [(key: String, value: ConfigValue)]? {
    if case .map(let pairs) = self { return pairs }
    return nil
  }

  /// Returns a map with `key` set (replacing a case-insensitive match).
  func setting(_ key: String, to value: ConfigValue) -> ConfigValue {
    var pairs = mapPairs ?? []
    if let index = pairs.lastIndex(where: { $0.key.lowercased() == key.lowercased() }) {
      pairs[index].value = value
    } else {
      pairs.append((key, value))
    }
    return .map(pairs)
  }

  /// Deep merge used for config files: maps merge recursively, lists concatenate,
  /// anything else in `other` replaces `self`.
  public func merged(with other: ConfigValue) -> ConfigValue {
    switch (self, other) {
    case (.map, .map(let otherPairs)):
      var result = self
      for (key, value) in otherPairs {
        if let existing = result[key] {
          result = result.setting(key, to: existing.merged(with: value))
        } else {
          result = result.setting(key, to: value)
        }
      }
      return result
    case (.list(let a), .list(let b)):
      return .list(a + b)
    default:
      return other
    }
  }

  /// Plain-text rendering for string settings and context values. Booleans become
  /// `"1"`/`"0"`, as the Go SDK's weakly typed decoder renders them into string maps.
  var weakString: String? {
    switch self {
    case .string(let text): return text
    case .int(let number): return String(number)
    case .float(let number): return GoFormat.float(number)
    case .bool(let flag): return flag ? "1" : "0"
    case .null: return ""
    case .list, .map: return nil
    }
  }
}
