public import Foundation

/// The value of one reading; each case travels as its own member of the `V3Reading.value`
/// oneof (docs/plugin-protocol.md §4.3), so NaN, ±Inf and raw bytes reach the server intact.
public enum ReadingValue: Sendable, Equatable {
  case none
  case string(String)
  case bool(Bool)
  case float32(Float)
  case float64(Double)
  case int32(Int32)
  case int64(Int64)
  case uint32(UInt32)
  case uint64(UInt64)
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
public struct Reading: Sendable, Equatable {
  public var output: Output
  public var value: ReadingValue
  public var context: [String: String]
  public var timestamp: Date

  public init(output: Output, value: ReadingValue, context: [String: String] = [:], timestamp: Date = Date()) {
    self.output = output
    self.value = value
    self.context = context
    self.timestamp = timestamp
  }

  /// The reading type (its output's type).
  public var type: String { output.type }
}
