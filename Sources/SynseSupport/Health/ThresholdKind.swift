/// The six threshold kinds of a sensor reading, named as DMTF Redfish names them
/// (`Sensor.v1_7_0` `Thresholds`: `LowerCaution`, `UpperCaution`, `LowerCritical`,
/// `UpperCritical`, `LowerFatal`, `UpperFatal`). Shared by the SDK (which declares thresholds
/// in device metadata) and the server (which evaluates them); see docs/health.md.
public enum ThresholdKind: String, Sendable, Hashable, CaseIterable, Codable {
  case lowerCaution, upperCaution, lowerCritical, upperCritical, lowerFatal, upperFatal

  /// Which side of the normal range the threshold bounds.
  public enum Bound: Sendable, Hashable { case lower, upper }

  /// How serious a violation is: caution < critical < fatal (Redfish's three levels).
  public enum Level: Int, Sendable, Hashable, Comparable {
    case caution = 1, critical = 2, fatal = 3
    public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
  }

  public var bound: Bound {
    switch self {
    case .lowerCaution, .lowerCritical, .lowerFatal: .lower
    case .upperCaution, .upperCritical, .upperFatal: .upper
    }
  }

  public var level: Level {
    switch self {
    case .lowerCaution, .upperCaution: .caution
    case .lowerCritical, .upperCritical: .critical
    case .lowerFatal, .upperFatal: .fatal
    }
  }

  /// The Redfish JSON key, e.g. `UpperCaution` (also the name used in error messages).
  public var redfishKey: String {
    switch self {
    case .lowerCaution: "LowerCaution"
    case .upperCaution: "UpperCaution"
    case .lowerCritical: "LowerCritical"
    case .upperCritical: "UpperCritical"
    case .lowerFatal: "LowerFatal"
    case .upperFatal: "UpperFatal"
    }
  }
}

/// The direction of crossing that activates a threshold (Redfish `ThresholdActivation`:
/// `Increasing`, `Decreasing`, `Either`).
///
/// A state evaluator needs a *side*, so Synse reads it as: `increasing` — active while the
/// value is at or above the threshold's reading; `decreasing` — at or below; `either` (the
/// default when `Activation` is absent) — the kind's own side (above for upper thresholds,
/// below for lower ones), since a crossing either way is then a raise or a clear.
public enum ThresholdActivation: String, Sendable, Hashable, Codable, CaseIterable {
  case increasing = "Increasing"
  case decreasing = "Decreasing"
  case either = "Either"

  /// Whether the violation side is above the reading, for a threshold of `kind`.
  public func isAbove(for kind: ThresholdKind) -> Bool {
    switch self {
    case .increasing: true
    case .decreasing: false
    case .either: kind.bound == .upper
    }
  }
}
