import Foundation
public import SynseSupport

/// The `thresholds:` section of a device config prototype or instance (docs/health.md,
/// "Declaring thresholds in a plugin"): the Redfish-style JSON of ``ThresholdsMetadata`` written
/// as YAML, e.g.
///
/// ```yaml
/// thresholds:
///   temperature:
///     UpperCaution: {Reading: 80, DwellTime: PT5S}
///     UpperCritical: {Reading: 95}
///     HysteresisReading: 2
///   "voltage[rail=12v]":
///     LowerCritical: {Reading: 11.4}
/// ```
///
/// Decoding and validation are SynseSupport's (``ThresholdsMetadata/parse(_:)``): the YAML tree
/// is turned into JSON and parsed there, so the YAML form and the metadata form cannot drift.
/// Keys are case-sensitive, as in the JSON.
extension DeviceConfig {
  /// Parses a `thresholds:` section.
  ///
  /// - Parameters:
  ///   - value: the section's YAML value; it must be a mapping of reading selectors.
  ///   - file: the config file, for the error.
  ///   - key: the section's dotted key path, e.g. `devices[0].instances[1].thresholds`.
  /// - Throws: ``ConfigError`` (`invalid value`) naming `file` and the full key path down to the
  ///   bad value, e.g. `devices[0].instances[1].thresholds.temperature.UpperCritcal`.
  public static func thresholds(
    _ value: ConfigValue, file: String?, key: String
  ) throws(ConfigError) -> [ReadingSelector: Thresholds] {
    guard case .map = value else {
      throw ConfigError(.invalidValue, file: file, key: key, message: "expected a mapping of reading selectors (e.g. temperature) to thresholds")
    }
    let object = try jsonObject(value, file: file, key: key)
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed]) else {
      throw ConfigError(.invalidValue, file: file, key: key, message: "cannot be written as JSON")
    }
    return try thresholds(json: String(decoding: data, as: UTF8.self), file: file, key: key)
  }

  /// Parses a `synse.thresholds` metadata value (JSON text, e.g. written by hand in `context`).
  ///
  /// - Throws: ``ConfigError`` (`invalid value`) whose key is `key` followed by the key the
  ///   ``ThresholdsError`` names.
  public static func thresholds(json: String, file: String?, key: String) throws(ConfigError) -> [ReadingSelector: Thresholds] {
    do {
      return try ThresholdsMetadata.parse(json)
    } catch {
      throw ConfigError(.invalidValue, file: file, key: error.key.isEmpty ? key : "\(key).\(error.key)", message: reason(error))
    }
  }

  /// The error's description without its key (``ConfigError`` names the key itself).
  static func reason(_ error: ThresholdsError) -> String {
    switch error {
    case .nonFinite: return "must be a finite number"
    case .negative: return "must not be negative"
    case .inverted(_, let reading, let otherKey, let otherReading):
      return "\(GoFormat.float(reading)) \(ThresholdsError.order(reading, otherReading)) \(otherKey) (\(GoFormat.float(otherReading))); expected "
        + "LowerFatal ≤ LowerCritical ≤ LowerCaution < UpperCaution ≤ UpperCritical ≤ UpperFatal"
    case .invalidDuration(_, let text): return "'\(text)' is not an ISO 8601 duration such as PT5S, PT0.5S or PT1M30S (at most 10^12 s)"
    case .invalidSelector(let key):
      // ThresholdsMetadata also refuses one selector written two ways (context in another order).
      if (try? ReadingSelector(parsing: key)) != nil { return "names the same reading as another key" }
      return "not a reading selector: expected a reading type, optionally with [context-key=value,...]"
    case .malformed(_, let reason): return reason
    }
  }

  /// The YAML tree as JSONSerialization objects; non-finite numbers (`.nan`, `.inf`) have no
  /// JSON form and are refused here, naming the key.
  private static func jsonObject(_ value: ConfigValue, file: String?, key: String) throws(ConfigError) -> Any {
    switch value {
    case .null: return NSNull()
    case .bool(let flag): return flag
    case .int(let number): return NSNumber(value: number)
    case .float(let number):
      guard number.isFinite else { throw ConfigError(.invalidValue, file: file, key: key, message: "must be a finite number") }
      return NSNumber(value: number)
    case .string(let text): return text
    case .list(let items):
      var result: [Any] = []
      for (index, item) in items.enumerated() { result.append(try jsonObject(item, file: file, key: "\(key)[\(index)]")) }
      return result
    case .map(let pairs):
      var result: [String: Any] = [:]
      for (name, item) in pairs { result[name] = try jsonObject(item, file: file, key: "\(key).\(name)") }
      return result
    }
  }
}
