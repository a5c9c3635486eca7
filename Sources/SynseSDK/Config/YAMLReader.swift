import Foundation
import SynseSupport
import Yams

/// Reads YAML text into ``ConfigValue``s with go-yaml v2's YAML 1.1 scalar rules.
enum YAMLReader {
  /// Parses one YAML document; an empty document is `.null`.
  static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigValue {
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch {
      throw ConfigError(.invalidFile, file: file, message: "not valid YAML: \((error as? YamlError)?.oneLine ?? "\(error)")")
    }
    guard let node else { return .null }
    return try value(of: node, file: file)
  }

  private static func value(of node: Node, file: String) throws(ConfigError) -> ConfigValue {
    switch node {
    case .scalar(let scalar):
      return scalar.style == .plain ? resolvePlain(scalar.string) : .string(scalar.string)
    case .sequence(let sequence):
      var items: [ConfigValue] = []
      for item in sequence { items.append(try value(of: item, file: file)) }
      return .list(items)
    case .mapping(let mapping):
      var pairs: [(key: String, value: ConfigValue)] = []
      for (key, item) in mapping {
        pairs.append((key.string ?? "", try value(of: item, file: file)))
      }
      return .map(pairs)
    case .alias:
      throw ConfigError(.invalidFile, file: file, message: "YAML aliases are not supported")
    }
  }

  private static let trueWords: Set<String> = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
  private static let falseWords: Set<String> = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]
  private static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]

  /// Resolves an unquoted scalar the way go-yaml v2 does for an untyped target.
  static func resolvePlain(_ text: String) -> ConfigValue {
    if nullWords.contains(text) { return .null }
    if trueWords.contains(text) { return .bool(true) }
    if falseWords.contains(text) { return .bool(false) }
    switch text {
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
    case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
    case ".nan", ".NaN", ".NAN": return .float(.nan)
    default: break
    }
    if let integer = parseInteger(text.replacingOccurrences(of: "_", with: "")) { return .int(integer) }
    if isYAMLFloat(text), let number = Double(text) { return .float(number) }
    return .string(text)
  }

  /// Go's `strconv.ParseInt(s, 0, 64)`: sign, then `0x`, `0o`, `0b` or a leading-zero octal.
  private static func parseInteger(_ text: String) -> Int64? {
    var digits = Substring(text)
    var negative = false
    if let sign = digits.first, sign == "-" || sign == "+" {
      negative = sign == "-"
      digits = digits.dropFirst()
    }
    guard !digits.isEmpty else { return nil }
    var radix = 10
    let lower = digits.lowercased()
    if lower.hasPrefix("0x") { radix = 16; digits = digits.dropFirst(2) }
    else if lower.hasPrefix("0o") { radix = 8; digits = digits.dropFirst(2) }
    else if lower.hasPrefix("0b") { radix = 2; digits = digits.dropFirst(2) }
    else if digits.count > 1, digits.hasPrefix("0") { radix = 8; digits = digits.dropFirst() }
    guard !digits.isEmpty, let magnitude = UInt64(digits, radix: radix) else { return nil }
    if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
    return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
  }

  /// go-yaml v2's float pattern: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
  private static func isYAMLFloat(_ text: String) -> Bool {
    text.range(of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil
  }
}
