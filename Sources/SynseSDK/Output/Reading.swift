public import Foundation

/// The value of one reading; each case travels as its own member of the `V3Reading.value`
/// oneof (docs/plugin-protocol.md §4.3), so NaN, ±Inf and raw bytes reach the server intact.
///
/// Each case notes the JSON `value` Synse Server renders for it (docs/api-v3.md §3.4). The
/// built-in transforms (`scale`, `FtoC`) need a numeric case or a numeric string.
public enum ReadingValue: Sendable, Equatable {
  /// No value (oneof unset), rendered `null`; transforms skip it.
  case none
  /// Rendered as the string, except `nan`/`NaN` (any case, ±) which become `null`.
  case string(String)
  /// Rendered `true`/`false`.
  case bool(Bool)
  /// Rendered widened to double (`0.1` shows as `0.10000000149011612`); NaN and ±Inf become
  /// `null`.
  case float32(Float)
  /// Rendered as a JSON number; NaN and ±Inf become `null`.
  case float64(Double)
  /// Rendered as a JSON integer.
  case int32(Int32)
  /// Rendered as a JSON integer.
  case int64(Int64)
  /// Rendered as a JSON integer.
  case uint32(UInt32)
  /// Rendered as a JSON integer, all 64 bits kept.
  case uint64(UInt64)
  /// Rendered as UTF-8 text, or the embedded JSON when the text is an object or array;
  /// bytes that are not UTF-8 become `{"base64": "..."}`.
  case bytes([UInt8])

  /// The value as a Double, for transforms; `nil` for non-numeric values.
  var doubleValue: Double? {
    switch self {
    case .float32(let v): return Double(v)
    case .float64(let v): return v
    case .int32(let v): return Double(v)
    case .int64(let v): return Double(v)
    case .uint32(let v): return Double(v)
    case .uint64(let v): return Double(v)
    case .string(let text): return Double(text)
    case .none, .bool, .bytes: return nil
    }
  }
}

/// One reading of a device: typed by the output that produced it.
///
/// On the wire (`V3Reading`) it carries the output's `type` and unit, the device's ID, type
/// and info, and ``timestamp`` as RFC 3339 (UTC, whole seconds); a handler returns a device's whole list per pass.
public struct Reading: Sendable, Equatable {
  /// Gives the reading its `type`, unit and precision, and the device's `outputs` entry.
  public var output: Output
  /// The value; transforms replace it before the reading is stored.
  public var value: ReadingValue
  /// Free-form labels shown with the reading; the device's `context` is merged in, device
  /// keys winning (§4.1).
  public var context: [String: String]
  /// When the value was taken; Synse Server de-duplicates tag reads by device, type and this
  /// (to the second), so give two readings of one device different types (§4.2).
  public var timestamp: Date

  /// Creates a reading; ``Output/reading(_:context:)`` is the usual spelling.
  public init(output: Output, value: ReadingValue, context: [String: String] = [:], timestamp: Date = Date()) {
    self.output = output
    self.value = value
    self.context = context
    self.timestamp = timestamp
  }

  /// The reading type (its output's type).
  public var type: String { output.type }
}
