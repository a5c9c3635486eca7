import Foundation
import SynseSupport
import Yams

/// A server rule (docs/health.md "Server rules"): thresholds for the readings of the devices it
/// selects, overriding what their plugins declare, value by value. One entry of `health.rules`
/// or of the list in `health.rules_file`:
///
/// ```yaml
/// - name: hot aisle                 # optional; the source shown by /v3/device/{id}/thresholds
///   devices: [0f3c…, inlet-1]       # IDs or aliases (optional)
///   tags: ["rack:r1", "row:2,hot"]  # groups, each a tag or a comma list that must all be present (optional)
///   plugin: 4032…                   # optional
///   thresholds:                     # reading selector → Redfish-style thresholds, as in device configs
///     temperature: {UpperCritical: {Reading: 85}, HysteresisReading: 2}
/// ```
///
/// A rule with no `devices`, `tags` or `plugin` applies to every device; with several, a device
/// must satisfy each (any of `devices`, any tag group).
public struct HealthRule: Sendable, Equatable {
  public var name: String
  public var devices: [String]
  /// Tag groups with the default namespace applied (`default/rack:r1`).
  public var tagGroups: [[String]]
  public var plugin: String?
  public var layers: [ThresholdLayer]

  static let fields = ["name", "devices", "tags", "plugin", "thresholds"]

  /// Whether the rule selects `device`.
  public func selects(_ device: DeviceRecord) -> Bool {
    (devices.isEmpty || devices.contains(device.id) || (!device.alias.isEmpty && devices.contains(device.alias)))
      && (tagGroups.isEmpty || tagGroups.contains { $0.allSatisfy(device.tags.contains) })
      && (plugin.map { $0 == device.plugin } ?? true)
  }

  /// Reads entry `index` of a rule list; `key` names the list in errors (`health.rules`).
  ///
  /// - Throws: ``HealthRuleError`` naming the first bad key, e.g.
  ///   `health.rules[2].thresholds.temperature.UpperCaution.Reading`.
  static func parse(_ json: JSONValue, index: Int, key: String) throws(HealthRuleError) -> HealthRule {
    let at = "\(key)[\(index)]"
    let entry = try ConfigurationEntry.fields(
      of: json, at: at, known: fields, shape: "a mapping with 'thresholds'", noun: "rule", failure: { HealthRuleError(key: $0, message: $1) })
    func strings(_ field: String) throws(HealthRuleError) -> [JSONValue] {
      switch entry[field] {
      case nil: return []
      case .array(let items)?: return items
      case let item?: return [item]
      }
    }
    func text(_ value: JSONValue, _ field: String, orList: Bool = true) throws(HealthRuleError) -> String {
      guard case .string(let text) = value, !text.allSatisfy(\.isWhitespace) else {
        let shape = orList ? "a non-blank string or a list of them" : "one non-blank string"
        throw HealthRuleError(key: "\(at).\(field)", message: "must be \(shape), got \(value.serialized(pretty: false))")
      }
      return text
    }
    var rule = HealthRule(name: at, devices: [], tagGroups: [], plugin: nil, layers: [])
    if let name = entry["name"] {
      rule.name = try text(name, "name", orList: false)
      // `plugin` is the source of a plugin's own thresholds: a rule so named would be merged as one.
      guard rule.name != "plugin" else { throw HealthRuleError(key: "\(at).name", message: "'plugin' names a plugin's own thresholds; choose another") }
    }
    for value in try strings("devices") { rule.devices.append(try text(value, "devices")) }
    for value in try strings("tags") {
      let group: [String]
      if case .array(let items) = value {
        var texts: [String] = []
        for item in items { texts.append(try text(item, "tags")) }
        group = texts
      } else {
        group = try text(value, "tags").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      }
      rule.tagGroups += Commands.applyNamespace("default", to: [group])
    }
    if let plugin = entry["plugin"] { rule.plugin = try text(plugin, "plugin", orList: false) }
    guard let thresholds = entry["thresholds"] else {
      throw HealthRuleError(key: "\(at).thresholds", message: "is required: a mapping of reading selectors (e.g. temperature) to thresholds")
    }
    do throws(ThresholdsError) {
      rule.layers = try ThresholdLayer.layers(thresholds, source: rule.name)
    } catch {
      throw HealthRuleError(key: error.key.isEmpty ? "\(at).thresholds" : "\(at).thresholds.\(error.key)", message: Self.reason(error))
    }
    return rule
  }

  /// The error's text without its key (the rule error names the full key).
  static func reason(_ error: ThresholdsError) -> String {
    switch error {
    case .nonFinite: "must be a finite number"
    case .negative: "must not be negative"
    case .inverted(_, let reading, let otherKey, let otherReading):
      "(\(reading)) \(ThresholdsError.order(reading, otherReading)) \(otherKey) (\(otherReading)); expected LowerFatal ≤ LowerCritical ≤ LowerCaution < UpperCaution ≤ UpperCritical ≤ UpperFatal"
    case .invalidDuration(_, let text): "\"\(text)\" is not an ISO 8601 duration such as PT5S or PT1M30S (at most 10^12 s)"
    case .invalidSelector: "is not a reading selector: a reading type, optionally with [context-key=value,...]"
    case .malformed(_, let reason): reason
    }
  }
}

/// A rule that does not parse: the dotted key and what is wrong.
public struct HealthRuleError: Error, Sendable, CustomStringConvertible {
  public let key: String
  public let message: String
  public var description: String { "'\(key)' \(message)" }
}

/// The `health.rules` key: rules in order (later ones win over earlier ones, value by value).
public struct HealthRules: Sendable, Equatable {
  public var rules: [HealthRule] = []

  public init(_ rules: [HealthRule] = []) { self.rules = rules }

  /// - Throws: ``HealthRuleError`` naming the first bad key under `key`.
  static func parse(_ json: JSONValue, key: String) throws(HealthRuleError) -> HealthRules {
    guard case .array(let entries) = json else {
      throw HealthRuleError(key: key, message: "must be a list of rules (mappings with 'thresholds')")
    }
    var rules: [HealthRule] = []
    for (index, entry) in entries.enumerated() {
      let rule = try HealthRule.parse(entry, index: index, key: key)
      // The name is the source /v3/device/{id}/thresholds shows: two alike could not be told apart.
      if let other = rules.firstIndex(where: { $0.name == rule.name }) {
        throw HealthRuleError(key: "\(key)[\(index)].name", message: "'\(rule.name)' is also the name of \(key)[\(other)]")
      }
      rules.append(rule)
    }
    return HealthRules(rules)
  }

  /// The rules of a `health.rules_file`: a YAML list of rules (or a mapping with `rules:`).
  ///
  /// - Throws: a one-line description naming the file and the key in it.
  static func load(file: String) throws(HealthRuleError) -> HealthRules {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw HealthRuleError(key: "health.rules_file", message: "cannot read \(file)")
    }
    let json: JSONValue
    do {
      guard let node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self)) else { return HealthRules() }
      json = try ServerConfiguration.json(from: node, file: file)
    } catch {
      throw HealthRuleError(key: "health.rules_file", message: "\(file) is not valid YAML: \((error as? YamlError)?.oneLine ?? "\(error)")")
    }
    let list = ServerConfiguration.value(at: ["rules"], in: json) ?? json
    do throws(HealthRuleError) {
      return try parse(list, key: "rules")
    } catch {
      throw HealthRuleError(key: "health.rules_file", message: "\(file): '\(error.key)' \(error.message)")
    }
  }
}

extension HealthRules: ParsedConfigurationValue {
  static func parse(configuration json: JSONValue) throws(HealthRuleError) -> HealthRules { try parse(json, key: "health.rules") }
  static var variable: String { "SYNSE_HEALTH_RULES" }
  static var expected: String { "a list of rules (JSON in the variable: [{\"tags\": [\"rack:r1\"], \"thresholds\": {…}}])" }
}
