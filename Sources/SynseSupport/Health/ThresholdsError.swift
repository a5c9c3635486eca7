/// Why thresholds were refused. Every case names the offending key as a dotted path from the
/// metadata value down, e.g. `temperature.UpperCaution.DwellTime`, so a startup error can say
/// exactly what to fix (issue 17: "one clear startup error naming the file and key").
public enum ThresholdsError: Error, Sendable, Hashable, CustomStringConvertible {
  /// A `Reading` or `HysteresisReading` is NaN or infinite.
  case nonFinite(key: String)
  /// A `DwellTime`, `HysteresisReading` or `HysteresisDuration` is below zero.
  case negative(key: String)
  /// `key` (value `reading`) is below `otherKey` (value `otherReading`) though it must not be,
  /// e.g. `UpperCritical` 80 below `UpperCaution` 90.
  case inverted(key: String, reading: Double, otherKey: String, otherReading: Double)
  /// A duration is not an ISO 8601 duration of days, hours, minutes and seconds (`PT5S`).
  case invalidDuration(key: String, text: String)
  /// A map key is not `type` or `type[context-key=value,...]`.
  case invalidSelector(key: String)
  /// The JSON is malformed or a value has the wrong type (`reason` says which).
  case malformed(key: String, reason: String)

  /// The key the error is about (empty for the whole document).
  public var key: String {
    switch self {
    case .nonFinite(let key), .negative(let key), .invalidDuration(let key, _), .invalidSelector(let key),
      .malformed(let key, _), .inverted(let key, _, _, _):
      key
    }
  }

  /// The same error with `prefix.` put before its key(s), for errors found inside a map entry.
  public func prefixed(_ prefix: String) -> ThresholdsError {
    func join(_ key: String) -> String { key.isEmpty ? prefix : "\(prefix).\(key)" }
    switch self {
    case .nonFinite(let key): return .nonFinite(key: join(key))
    case .negative(let key): return .negative(key: join(key))
    case .invalidDuration(let key, let text): return .invalidDuration(key: join(key), text: text)
    case .invalidSelector(let key): return .invalidSelector(key: join(key))
    case .malformed(let key, let reason): return .malformed(key: join(key), reason: reason)
    case .inverted(let key, let reading, let otherKey, let otherReading):
      return .inverted(key: join(key), reading: reading, otherKey: join(otherKey), otherReading: otherReading)
    }
  }

  /// "is below", or, for equal values (a lower threshold equal to an upper one), "must be above".
  public static func order(_ reading: Double, _ other: Double) -> String { reading == other ? "must be above" : "is below" }

  public var description: String {
    switch self {
    case .nonFinite(let key): "threshold \(key): must be a finite number"
    case .negative(let key): "threshold \(key): must not be negative"
    case .inverted(let key, let reading, let otherKey, let otherReading):
      "threshold \(key) (\(reading)) \(Self.order(reading, otherReading)) \(otherKey) (\(otherReading)); expected "
        + "LowerFatal ≤ LowerCritical ≤ LowerCaution < UpperCaution ≤ UpperCritical ≤ UpperFatal"
    case .invalidDuration(let key, let text):
      "threshold \(key): \"\(text)\" is not an ISO 8601 duration such as PT5S or PT1M30S (at most 10^12 s)"
    case .invalidSelector(let key):
      "thresholds key \"\(key)\": expected a reading type, optionally with [context-key=value,...]"
    case .malformed(let key, let reason): "thresholds \(key.isEmpty ? "document" : key): \(reason)"
    }
  }
}
