public import SynseSupport

/// The thresholds one source sets for one reading selector: a plugin's `synse.thresholds`
/// metadata entry or a server rule's entry (docs/health.md "Sources"). Merged per value with
/// the layers above it, so it also records which of the per-reading hysteresis values it set
/// (an absent `HysteresisReading` must not override another source's with the default 0).
public struct ThresholdLayer: Sendable, Equatable {
  public let selector: ReadingSelector
  public let thresholds: Thresholds
  public let setsHysteresisReading: Bool
  public let setsHysteresisDuration: Bool
  /// `plugin`, or the rule's name (`health.rules[0]`, `<rules file>[2]`, or its `name`).
  public let source: String

  /// The layers of a selector map in JSON form (the `synse.thresholds` object, or a rule's
  /// `thresholds`), validated by SynseSupport's ``ThresholdsMetadata``, least specific first.
  ///
  /// - Throws: ``ThresholdsError`` whose key starts at the selector (`temperature.UpperCaution.Reading`).
  static func layers(_ object: JSONValue, source: String) throws(ThresholdsError) -> [ThresholdLayer] {
    guard case .object(let entries) = object else {
      throw .malformed(key: "", reason: "expected a mapping of reading selectors (e.g. temperature) to thresholds")
    }
    // JSON text has no NaN or infinity (they would read back as null): say what they are.
    if let key = nonFinite(object) { throw .nonFinite(key: key) }
    let parsed = try ThresholdsMetadata.parse(object.serialized(pretty: false))
    var layers: [ThresholdLayer] = []
    for (text, entry) in entries {
      let selector = try ReadingSelector(parsing: text)
      guard let thresholds = parsed[selector], case .object(let fields) = entry else { continue }
      let keys = Set(fields.map(\.0))
      layers.append(ThresholdLayer(
        selector: selector, thresholds: thresholds, setsHysteresisReading: keys.contains("HysteresisReading"),
        setsHysteresisDuration: keys.contains("HysteresisDuration"), source: source))
    }
    return layers.sorted { $0.selector.context.count < $1.selector.context.count }
  }

  /// The dotted key of the first NaN or infinite number in `value`.
  private static func nonFinite(_ value: JSONValue, at path: String = "") -> String? {
    switch value {
    case .double(let number) where !number.isFinite: return path
    case .object(let pairs):
      return pairs.lazy.compactMap { key, inner in nonFinite(inner, at: path.isEmpty ? key : "\(path).\(key)") }.first
    default: return nil
    }
  }

  /// Whether the layer applies to a reading of `type` with `context`.
  func matches(type: String, context: [(String, String)]) -> Bool {
    selector.readingType == type
      && selector.context.allSatisfy { key, value in context.contains { $0.0 == key && $0.1 == value } }
  }
}

/// Thresholds merged per value from layers in precedence order, each value with its source.
struct MergedThresholds {
  var values: [ThresholdKind: (threshold: Threshold, source: String)] = [:]
  var hysteresisReading: (value: Double, source: String)?
  var hysteresisDuration: (value: Duration, source: String)?

  init(_ layers: some Sequence<ThresholdLayer>) {
    for layer in layers {
      for kind in ThresholdKind.allCases { if let threshold = layer.thresholds[kind] { values[kind] = (threshold, layer.source) } }
      if layer.setsHysteresisReading { hysteresisReading = (layer.thresholds.hysteresisReading, layer.source) }
      if layer.setsHysteresisDuration { hysteresisDuration = (layer.thresholds.hysteresisDuration, layer.source) }
    }
  }

  var thresholds: Thresholds {
    var result = Thresholds(hysteresisReading: hysteresisReading?.value ?? 0, hysteresisDuration: hysteresisDuration?.value ?? .zero)
    for (kind, entry) in values { result[kind] = entry.threshold }
    return result
  }

  /// The `/v3/device/{id}/thresholds` entry: the Redfish-style object with a `source` in each
  /// threshold and `sources` for the hysteresis pair (`default` when no source set it).
  var json: JSONValue {
    var pairs: [(String, JSONValue)] = []
    for kind in ThresholdKind.allCases {
      guard let (threshold, source) = values[kind] else { continue }
      pairs.append((kind.redfishKey, .object([
        ("Reading", .double(threshold.reading)), ("Activation", .string(threshold.activation.rawValue)),
        ("DwellTime", .string(ISO8601Duration.format(threshold.dwellTime))), ("source", .string(source)),
      ])))
    }
    pairs.append(("HysteresisReading", .double(hysteresisReading?.value ?? 0)))
    pairs.append(("HysteresisDuration", .string(ISO8601Duration.format(hysteresisDuration?.value ?? .zero))))
    pairs.append(("sources", .object([
      ("HysteresisReading", .string(hysteresisReading?.source ?? "default")),
      ("HysteresisDuration", .string(hysteresisDuration?.source ?? "default")),
    ])))
    return .object(pairs)
  }
}
