/// One reading as the API returns it (docs/api-v3.md §3.4).
public struct ReadingRecord: Sendable {
  public var device: String
  public var timestamp: String
  public var type: String
  public var deviceType: String
  public var deviceInfo: String
  public var unit: (name: String, symbol: String)?
  /// Already converted: non-finite numbers are `null`, bytes are text, embedded JSON or
  /// `{"base64": ...}` (see ``ReadingValue``).
  public var value: JSONValue
  public var context: [(String, String)]
  /// The sensor's announced health (docs/health.md); nil when no threshold applies, which
  /// renders as `null`. Always the last key, so every field of the original stays as it was.
  public var health: HealthState?
  /// Its place among its device's readings of this type in one read pass (not rendered): with
  /// device and type, the sensor it comes from (``ReadingSequencer``).
  public var ordinal = 0
  /// ``json`` rendered once for a read shared by coalesced requests.
  public var rendered: JSONFragment?

  public var json: JSONValue {
    if let rendered { return .fragment(rendered) }
    return .object([
      ("device", .string(device)), ("timestamp", .string(timestamp)), ("type", .string(type)),
      ("device_type", .string(deviceType)), ("device_info", .string(deviceInfo)),
      ("unit", unit.map { .object([("name", .string($0.name)), ("symbol", .string($0.symbol))]) } ?? .null),
      ("value", value), ("context", .object(context.map { ($0.0, .string($0.1)) })),
      ("health", health.map { .string($0.rawValue) } ?? .null),
    ])
  }

  /// A copy carrying its own pre-rendered JSON.
  func renderedOnce() -> ReadingRecord {
    var copy = self
    copy.rendered = JSONFragment(json)
    return copy
  }

  /// Key for de-duplicating tag-filtered reads across groups (device + type + timestamp).
  var mergeKey: String { device + type + timestamp }
}
