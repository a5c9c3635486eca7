import Foundation
import Testing
@testable import SynseServerCore
import SynseSupport

/// Server rules over plugin-declared thresholds (docs/health.md "Server rules"): precedence and
/// specificity per value, which devices a rule selects, and one clear error per bad rule.
struct ThresholdResolverTests {
  static func device(_ id: String, alias: String = "", tags: [String] = [], plugin: String = "p", metadata: String?) -> DeviceRecord {
    var device = FakePlugin.device(id, plugin: plugin, tags: tags)
    device.alias = alias
    if let metadata { device.metadata = [(ThresholdsMetadata.key, metadata)] }
    return device
  }

  static func rules(_ yaml: String) throws -> [HealthRule] {
    let path = try ConfigurationTests().file("health:\n  rules:\n" + yaml)
    return try ServerConfiguration.load(path: path, environment: [:]).health.rules.rules
  }

  static let plugin = #"{"temperature": {"UpperCaution": {"Reading": 80}, "UpperCritical": {"Reading": 90}, "HysteresisReading": 2}}"#

  @Test func rulesWinValueByValueAndSayWhereEachValueCameFrom() throws {
    let rules = try Self.rules("""
        - thresholds: {temperature: {UpperCritical: {Reading: 85}}}
        - name: hot aisle
          tags: [rack:r1]
          thresholds: {temperature: {UpperCritical: {Reading: 88, DwellTime: PT5S}, HysteresisDuration: PT10S}}
      """)
    let resolved = ThresholdResolver(rules: rules).resolve(Self.device("t1", tags: ["default/rack:r1"], metadata: Self.plugin))
    let merged = try #require(resolved.thresholds(type: "temperature", context: []))
    #expect(merged.upperCaution?.reading == 80 && merged.upperCritical?.reading == 88 && merged.upperCritical?.dwellTime == .seconds(5))
    // The plugin's HysteresisReading stays: a rule that does not name it does not reset it to 0.
    #expect(merged.hysteresisReading == 2 && merged.hysteresisDuration == .seconds(10))
    let json = resolved.json.serialized(pretty: false)
    #expect(json.contains(#""UpperCaution":{"Reading":80.0,"Activation":"Either","DwellTime":"PT0S","source":"plugin"}"#), "\(json)")
    #expect(json.contains(#""UpperCritical":{"Reading":88.0,"Activation":"Either","DwellTime":"PT5S","source":"hot aisle"}"#), "\(json)")
    #expect(json.contains(#""sources":{"HysteresisReading":"plugin","HysteresisDuration":"hot aisle"}"#), "\(json)")
    // Not in rack r1: only the first rule applies.
    let other = ThresholdResolver(rules: rules).resolve(Self.device("t2", metadata: Self.plugin))
    #expect(other.thresholds(type: "temperature", context: [])?.upperCritical?.reading == 85)
  }

  @Test func aMoreSpecificSelectorWinsWithinOneSource() throws {
    let rules = try Self.rules("""
        - devices: [inlet]
          thresholds:
            "temperature[zone=cpu]": {UpperCaution: {Reading: 70}}
            temperature: {UpperCaution: {Reading: 60}}
      """)
    let resolved = ThresholdResolver(rules: rules).resolve(Self.device("t1", alias: "inlet", metadata: nil))
    #expect(resolved.thresholds(type: "temperature", context: [("zone", "cpu")])?.upperCaution?.reading == 70)
    #expect(resolved.thresholds(type: "temperature", context: [("zone", "gpu")])?.upperCaution?.reading == 60)
    #expect(resolved.thresholds(type: "voltage", context: []) == nil)
    #expect(ThresholdResolver(rules: rules).resolve(Self.device("t2", metadata: nil)).isEmpty)
  }

  @Test func aMergeThatBreaksTheOrderUsesTheRulesAloneAndSaysSo() throws {
    let rules = try Self.rules("        - thresholds: {temperature: {UpperCaution: {Reading: 95}}}\n")
    let resolved = ThresholdResolver(rules: rules).resolve(Self.device("t1", metadata: Self.plugin))
    let merged = try #require(resolved.thresholds(type: "temperature", context: []))
    #expect(merged.upperCaution?.reading == 95 && merged.upperCritical == nil)
    #expect(resolved.problem?.contains("merged thresholds refused") == true)
    #expect(resolved.problem?.contains("the rules' values only") == true)
  }

  @Test func aDeclaredSelectorForATypeTheDeviceNeverReadsIsAProblem() throws {
    var device = Self.device("t1", metadata: #"{"temprature": {"UpperCaution": {"Reading": 80}}}"#)
    device.outputs = [.init(name: "temperature", type: "temperature", precision: 2, scalingFactor: 1, unit: nil)]
    let resolved = ThresholdResolver.none.resolve(device)
    #expect(resolved.problem?.contains("plugin thresholds for 'temprature' match no reading of this device (its reading types: temperature)") == true)
    device.metadata = [(ThresholdsMetadata.key, Self.plugin)]
    #expect(ThresholdResolver.none.resolve(device).problem == nil)
  }

  @Test func rulesSelectByPluginAndMatchEveryGivenCriterion() throws {
    let rules = try Self.rules("""
        - plugin: q
          devices: [t1, t2]
          thresholds: {temperature: {UpperCaution: {Reading: 50}}}
      """)
    let resolver = ThresholdResolver(rules: rules)
    #expect(!resolver.resolve(Self.device("t1", plugin: "q", metadata: nil)).isEmpty)
    #expect(resolver.resolve(Self.device("t1", plugin: "p", metadata: nil)).isEmpty)
    #expect(resolver.resolve(Self.device("t3", plugin: "q", metadata: nil)).isEmpty)
  }

  @Test func badRulesAreOneErrorNamingTheKey() throws {
    let cases: [(String, String)] = [
      ("    - thresholds: {temperature: {UpperCritcal: {Reading: 1}}}\n", "'health.rules[0].thresholds.temperature.UpperCritcal'"),
      ("    - {thresholds: {}}\n    - thresholds: {temperature: {UpperCaution: {Reading: 90}, UpperCritical: {Reading: 80}}}\n",
       "'health.rules[1].thresholds.temperature.UpperCritical'"),
      // In an operator's words, not Swift's (`expected Double`, `Dictionary<String, Any>`).
      ("    - thresholds: {temperature: {UpperCaution: {Reading: hot}}}\n", "'health.rules[0].thresholds.temperature.UpperCaution.Reading' expected a number"),
      ("    - thresholds: {temperature: null}\n", "'health.rules[0].thresholds.temperature' expected a mapping, got null"),
      ("    - thresholds: {temperature: {UpperCaution: {Reading: 1, Activation: [x]}}}\n", "expected a string"),
      ("    - {name: a, thresholds: {}}\n    - {name: a, thresholds: {}}\n", "'health.rules[1].name' 'a' is also the name of health.rules[0]"),
      ("    - {name: plugin, thresholds: {}}\n", "'health.rules[0].name' 'plugin' names a plugin's own thresholds"),
      ("    - thresholds: {temperature: {UpperCaution: {Reading: 1, DwellTime: 5s}}}\n", "'health.rules[0].thresholds.temperature.UpperCaution.DwellTime'"),
      ("    - {tags: [a], thresold: {}}\n", "'health.rules[0].thresold' is not a rule field"),
      ("    - {devices: [a]}\n", "'health.rules[0].thresholds' is required"),
      ("    - thresholds: {temperature: {UpperCaution: {Reading: .nan}}}\n",
       "'health.rules[0].thresholds.temperature.UpperCaution.Reading' must be a finite number"),
      ("    - thresholds: {temperature: {UpperCaution: {Reading: 1, DwellTime: PT99999999999999999999S}}}\n",
       "'health.rules[0].thresholds.temperature.UpperCaution.DwellTime'"),
    ]
    for (yaml, expected) in cases {
      let path = try ConfigurationTests().file("health:\n  rules:\n" + yaml)
      let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: [:]) }
      #expect(error.description.contains(expected), "\(error)")
      #expect(error.description.contains(path) && !error.description.contains("\n"), "\(error)")
    }
  }

  @Test func aRuleNameIsOneRuleOverTheFileAndTheConfig() throws {
    let rules = try ConfigurationTests().file("rules:\n  - {name: hot aisle, thresholds: {temperature: {UpperCaution: {Reading: 70}}}}\n")
    let path = try ConfigurationTests().file("health:\n  rules_file: \(rules)\n  rules:\n    - {name: hot aisle, thresholds: {}}\n")
    let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: [:]) }
    #expect(error.description.contains("'health.rules[0].name' 'hot aisle' is also the name of a rule in \(rules)"), "\(error)")
  }

  @Test func aRulesFileIsReadAtLoadAndItsErrorsNameTheFileAndKey() throws {
    let rules = try ConfigurationTests().file("rules:\n  - thresholds: {temperature: {UpperCaution: {Reading: 70}}}\n")
    let path = try ConfigurationTests().file("health:\n  rules_file: \(rules)\n  rules:\n    - thresholds: {temperature: {UpperCaution: {Reading: 75}}}\n")
    let configuration = try ServerConfiguration.load(path: path, environment: [:])
    let resolver = ThresholdResolver(configuration: configuration)
    #expect(resolver.rules.map(\.name) == ["rules[0]", "health.rules[0]"])
    #expect(resolver.resolve(Self.device("t1", metadata: nil)).thresholds(type: "temperature", context: [])?.upperCaution?.reading == 75)

    let bad = try ConfigurationTests().file("- thresholds: {temperature: {UpperCaution: {Reading: .nan}}}\n")
    let failing = try ConfigurationTests().file("health: {rules_file: \(bad)}\n")
    let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: failing, environment: [:]) }
    #expect(error.description.contains("\(bad): 'rules[0].thresholds.temperature.UpperCaution.Reading'"), "\(error)")
    let missing = try ConfigurationTests().file("health: {rules_file: /nonexistent/rules.yaml}\n")
    let unreadable = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: missing, environment: [:]) }
    #expect(unreadable.description.contains("cannot read /nonexistent/rules.yaml"), "\(unreadable)")
  }
}
