/// An alarm a plugin reports on one reading, in the reading's context (docs/health.md, "Alarms a
/// plugin reports"): the key ``key`` (`synse.alarm`) with the level `caution`, `critical` or
/// `fatal`. It is for alarms the hardware raises itself, such as an hwmon chip's `tempN_crit_alarm`
/// flag: the chip compared the value with its own limit, so the alarm holds at once (no dwell)
/// and ends with the reading that no longer carries the key (no hysteresis; the chip has its own).
/// Absent, or any other value: no plugin alarm on that reading.
///
/// The v3 wire protocol is unchanged: reading context is `map<string,string>` already, and a
/// Go-SDK plugin can set the key the same way.
public enum ReadingAlarm {
  /// The reading context key.
  public static let key = "synse.alarm"

  /// The level named in `context`, if any.
  public static func level(in context: [String: String]) -> ThresholdKind.Level? {
    switch context[key] {
    case "caution": .caution
    case "critical": .critical
    case "fatal": .fatal
    default: nil
    }
  }

  /// The context value for `level`: `caution`, `critical` or `fatal`.
  public static func text(_ level: ThresholdKind.Level) -> String {
    switch level {
    case .caution: "caution"
    case .critical: "critical"
    case .fatal: "fatal"
    }
  }
}
