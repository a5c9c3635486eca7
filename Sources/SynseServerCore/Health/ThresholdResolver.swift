import Foundation
import Synchronization
public import SynseSupport

/// Resolves the thresholds in force for a device's readings (docs/health.md "Sources"), lowest
/// precedence first: what its plugin declares in the `synse.thresholds` metadata
/// (``ThresholdsMetadata``), then the server rules that select the device, in order. Values are
/// merged one by one (a rule setting only `UpperCritical` keeps the plugin's `UpperCaution`);
/// within one source, a more specific selector (`temperature[zone=cpu]`) wins over a less
/// specific one (`temperature`).
///
/// Resolution happens once per device and device-cache build (``HealthMonitor``), and a
/// sensor's thresholds once when it is first seen, so nothing here is on the per-reading path.
public struct ThresholdResolver: Sendable {
  public let rules: [HealthRule]
  private let declared = DeclaredLayers()

  /// Plugin-declared thresholds only.
  public static let none = ThresholdResolver(rules: [])

  public init(rules: [HealthRule]) { self.rules = rules }

  /// The resolver of a configuration: `health.rules_file`'s rules, then `health.rules`.
  public init(configuration: ServerConfiguration) {
    self.init(rules: configuration.health.fileRules.rules + configuration.health.rules.rules)
  }

  /// Everything in force for one device. A device whose metadata does not parse keeps its rules
  /// only, and ``DeviceThresholds/problem`` says why.
  public func resolve(_ device: DeviceRecord) -> DeviceThresholds {
    var layers: [ThresholdLayer] = []
    var problem: String?
    if let text = device.metadata.first(where: { $0.0 == ThresholdsMetadata.key })?.1 {
      switch declared.layers(text) {
      case .success(let parsed): layers = parsed
      case .failure(let error): problem = "metadata \(ThresholdsMetadata.key): \(error)"
      }
    }
    // A declared selector for a type the device never reads (a typo such as `temprature`)
    // would silently apply no limit: say so (rules span many devices, so theirs may not match).
    let types = Set(device.outputs.map(\.type))
    if !types.isEmpty, let stray = layers.first(where: { !types.contains($0.selector.readingType) }) {
      let unmatched = "plugin thresholds for '\(stray.selector)' match no reading of this device (its reading types: \(types.sorted().joined(separator: ", ")))"
      problem = problem.map { "\($0); \(unmatched)" } ?? unmatched
    }
    for rule in rules where rule.selects(device) { layers += rule.layers }
    return DeviceThresholds(device: device.id, layers: layers, problem: problem)
  }
}

/// The thresholds in force for one device's readings.
public struct DeviceThresholds: Sendable {
  public let device: String
  /// Every layer that applies to the device, lowest precedence first.
  let layers: [ThresholdLayer]
  let loadProblem: String?

  init(device: String, layers: [ThresholdLayer], problem: String? = nil) {
    self.device = device
    self.layers = layers
    loadProblem = problem
  }

  public var isEmpty: Bool { layers.isEmpty }

  /// Why some thresholds were ignored: bad plugin metadata, or a merge that broke the order of
  /// thresholds for a selector (see ``thresholds(type:context:)``).
  public var problem: String? {
    let merges = selectors.compactMap { merge(type: $0.readingType, context: $0.context.map { ($0.key, $0.value) }).problem }
    let all = (loadProblem.map { [$0] } ?? []) + merges
    return all.isEmpty ? nil : all.joined(separator: "; ")
  }

  /// The merged thresholds for one reading of this device, nil when none apply. When the merge
  /// breaks the order of thresholds (a rule's caution above the plugin's critical), the rules'
  /// values alone are used, then the plugin's alone, and ``problem`` says so.
  public func thresholds(type: String, context: [(String, String)]) -> Thresholds? {
    merge(type: type, context: context).merged?.thresholds
  }

  private func merge(type: String, context: [(String, String)]) -> (merged: MergedThresholds?, problem: String?) {
    let matching = layers.filter { $0.matches(type: type, context: context) }
    guard !matching.isEmpty else { return (nil, nil) }
    let all = MergedThresholds(matching)
    guard let error = Self.invalid(all) else { return (all, nil) }
    let reason = "\(type): merged thresholds refused (\(error))"
    for subset in [matching.filter { $0.source != "plugin" }, matching.filter { $0.source == "plugin" }] where !subset.isEmpty {
      let merged = MergedThresholds(subset)
      if Self.invalid(merged) == nil { return (merged, "\(reason); using \(subset[0].source == "plugin" ? "the plugin's" : "the rules'") values only") }
    }
    return (nil, reason)
  }

  private static func invalid(_ merged: MergedThresholds) -> ThresholdsError? {
    do throws(ThresholdsError) {
      try merged.thresholds.validate()
      return nil
    } catch {
      return error
    }
  }

  private var selectors: [ReadingSelector] {
    var seen: Set<ReadingSelector> = []
    return layers.map(\.selector).filter { seen.insert($0).inserted }
  }

  /// The body of `GET /v3/device/{id}/thresholds`: for each reading selector of any source, the
  /// merged thresholds a reading matching exactly that selector gets, each value with its source.
  public var json: JSONValue {
    .object([
      ("device", .string(device)),
      ("thresholds", .object(selectors.compactMap { selector in
        merge(type: selector.readingType, context: selector.context.map { ($0.key, $0.value) }).merged.map { (selector.description, $0.json) }
      })),
      ("problem", problem.map(JSONValue.string) ?? .null),
    ])
  }
}

/// The plugin layers of each `synse.thresholds` text parsed so far. Devices of one prototype
/// carry the same text, so 10,000 devices cost one parse, not 10,000 (each took ~90 µs).
private final class DeclaredLayers: Sendable {
  private let parsed = Mutex<[String: Result<[ThresholdLayer], ThresholdsError>]>([:])

  func layers(_ text: String) -> Result<[ThresholdLayer], ThresholdsError> {
    if let known = parsed.withLock({ $0[text] }) { return known }
    let result = Result { () throws(ThresholdsError) -> [ThresholdLayer] in
      guard let json = JSONValue(parsing: Data(text.utf8)) else { throw .malformed(key: "", reason: "not valid JSON") }
      return try ThresholdLayer.layers(json, source: "plugin")
    }
    parsed.withLock { table in
      // Texts differ per device only when a plugin writes per-device limits: keep it bounded.
      if table.count >= 4096 { table.removeAll(keepingCapacity: true) }
      table[text] = result
    }
    return result
  }
}
