public import SynseSupport

/// One active alarm, as `GET /v3/alarms` lists it (docs/health.md "Alarms"): a sensor reading
/// whose announced health is not `ok`.
public struct Alarm: Sendable {
  public var device: String
  public var plugin: String
  public var type: String
  public var context: [(String, String)]
  /// `warning`, `critical`, `fatal` or `unknown`.
  public var severity: HealthState
  /// RFC 3339, when this severity was announced.
  public var since: String
  /// The latest finite reading (nil when none yet), in `unit`.
  public var value: Double?
  public var unit: String?
  /// The threshold in force (`UpperCritical`…); nil for `unknown`.
  public var threshold: ThresholdKind?
  public var thresholdReading: Double?
  public var message: String
  /// The device's tags, for filters.
  public var tags: [String]

  /// The `/v3/alarms` entry.
  public var json: JSONValue {
    .object([
      ("device", .string(device)), ("plugin", .string(plugin)), ("type", .string(type)),
      ("context", .object(context.map { ($0.0, .string($0.1)) })),
      ("severity", .string(severity.rawValue)), ("since", .string(since)),
      ("value", value.map(JSONValue.double) ?? .null), ("unit", unit.map(JSONValue.string) ?? .null),
      ("threshold", threshold.map { .string($0.redfishKey) } ?? .null),
      ("threshold_reading", thresholdReading.map(JSONValue.double) ?? .null),
      ("message", .string(message)),
    ])
  }
}
