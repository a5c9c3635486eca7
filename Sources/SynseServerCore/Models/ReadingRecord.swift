import Synchronization

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
  /// ``json`` rendered once, on first use, for every request and stream that shares the reading.
  var rendered: RenderedReading?

  public var json: JSONValue {
    if let rendered { return .fragment(rendered.fragment) }
    return .object([
      ("device", .string(device)), ("timestamp", .string(timestamp)), ("type", .string(type)),
      ("device_type", .string(deviceType)), ("device_info", .string(deviceInfo)),
      ("unit", unit.map { .object([("name", .string($0.name)), ("symbol", .string($0.symbol))]) } ?? .null),
      ("value", value), ("context", .object(context.map { ($0.0, .string($0.1)) })),
      ("health", health.map { .string($0.rawValue) } ?? .null),
    ])
  }

  /// A copy that renders its JSON once, when first asked, and keeps it for every later copy.
  func renderedOnce() -> ReadingRecord {
    var copy = self
    copy.rendered = nil
    copy.rendered = RenderedReading(copy)
    return copy
  }

  /// Key for de-duplicating tag-filtered reads across groups (device + type + timestamp).
  var mergeKey: String { device + type + timestamp }
}

/// A reading's JSON, rendered on first use. Why not at once: the live feed stores every reading
/// of every plugin as it arrives (1,000 a second at 1,000 devices), and rendering each was a
/// tenth of the server's CPU on the path from a plugin reading to its alarm event, though most
/// are replaced by the next read pass before any `/v3/read` asks for them.
final class RenderedReading: Sendable {
  private let reading: ReadingRecord
  private let form = Mutex<JSONFragment?>(nil)

  init(_ reading: ReadingRecord) {
    self.reading = reading
  }

  var fragment: JSONFragment {
    if let rendered = form.withLock({ $0 }) { return rendered }
    // Rendered outside the lock: two first readers at once both render, and one result is kept.
    let rendered = JSONFragment(reading.json)
    return form.withLock { form in
      if let earlier = form { return earlier }
      form = rendered
      return rendered
    }
  }
}
