public import NIOCore
import Synchronization

/// A JSON document with ordered object keys, so responses keep the original server's key
/// order, and with a writer that never emits invalid JSON (non-finite numbers become `null`).
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int64)
  case uint(UInt64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])
  /// Pre-serialised JSON (see ``JSONFragment``).
  case fragment(JSONFragment)

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.uint(let a), .uint(let b)): return a == b
    case (.double(let a), .double(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    case (.fragment(let a), .fragment(let b)): return a == b
    default: return false
    }
  }

  /// Serialises the value; `pretty` indents by two spaces and appends a newline, as the
  /// original server's `pretty_json` does.
  public func serialized(pretty: Bool) -> String {
    String(decoding: serializedBytes(pretty: pretty), as: UTF8.self)
  }

  /// The UTF-8 bytes of ``serialized(pretty:)``, written straight into one buffer.
  public func serializedBytes(pretty: Bool) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(1024)
    write(into: &output, pretty: pretty, indent: 0)
    if pretty { output.append(0x0A) }
    return output
  }

  func write(into output: inout [UInt8], pretty: Bool, indent: Int) {
    switch self {
    case .null: output.append(contentsOf: "null".utf8)
    case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
    case .int(let number): output.append(contentsOf: String(number).utf8)
    case .uint(let number): output.append(contentsOf: String(number).utf8)
    case .double(let number):
      guard number.isFinite else { output.append(contentsOf: "null".utf8); return }
      if number == number.rounded(), abs(number) < 1e15 {
        output.append(contentsOf: String(Int64(number)).utf8)
        output.append(contentsOf: ".0".utf8)
      } else {
        output.append(contentsOf: "\(number)".utf8)
      }
    case .string(let text): Self.writeString(text, into: &output)
    case .fragment(let fragment): fragment.write(into: &output, pretty: pretty, indent: indent)
    case .array(let items):
      if items.isEmpty { output.append(contentsOf: "[]".utf8); return }
      output.append(UInt8(ascii: "["))
      for (index, item) in items.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        if pretty { Self.newline(&output, indent + 1) }
        item.write(into: &output, pretty: pretty, indent: indent + 1)
      }
      if pretty { Self.newline(&output, indent) }
      output.append(UInt8(ascii: "]"))
    case .object(let pairs):
      if pairs.isEmpty { output.append(contentsOf: "{}".utf8); return }
      output.append(UInt8(ascii: "{"))
      for (index, (key, value)) in pairs.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        if pretty { Self.newline(&output, indent + 1) }
        Self.writeString(key, into: &output)
        output.append(contentsOf: (pretty ? ": " : ":").utf8)
        value.write(into: &output, pretty: pretty, indent: indent + 1)
      }
      if pretty { Self.newline(&output, indent) }
      output.append(UInt8(ascii: "}"))
    }
  }

  static func newline(_ output: inout [UInt8], _ indent: Int) {
    output.append(0x0A)
    output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
  }

  private static func writeString(_ text: String, into output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    // On the contiguous bytes: scanning and copying through `String.UTF8View` went byte by
    // byte, 5 % of a server's CPU rendering live readings.
    var text = text
    text.withUTF8 { utf8 in
      if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
        output.append(contentsOf: utf8)
        return
      }
      for byte in utf8 {
        switch byte {
        case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
        case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
        case 0x0A: output.append(contentsOf: "\\n".utf8)
        case 0x0D: output.append(contentsOf: "\\r".utf8)
        case 0x09: output.append(contentsOf: "\\t".utf8)
        case ..<0x20:
          let hex = String(byte, radix: 16)
          output.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
        default: output.append(byte)
        }
      }
    }
    output.append(UInt8(ascii: "\""))
  }
}

/// A value serialised once and reused (device summaries at cache rebuild, a read's readings
/// once per plugin call shared by coalesced requests). The compact form is a `ByteBuffer`
/// that responses send as is; the pretty form (indent level 0, re-indented on use) is
/// rendered on first use, since most deployments need only one of the two.
public final class JSONFragment: Sendable, Equatable {
  public let compact: ByteBuffer
  private let value: JSONValue
  private let prettyForm = Mutex<ByteBuffer?>(nil)

  public init(_ value: JSONValue) {
    self.value = value
    compact = ByteBuffer(bytes: value.serializedBytes(pretty: false))
  }

  public static func == (lhs: JSONFragment, rhs: JSONFragment) -> Bool { lhs.compact == rhs.compact }

  /// The whole value as a response body (pretty with the trailing newline ``JSONValue/serializedBytes(pretty:)`` adds).
  public func body(pretty: Bool) -> ByteBuffer {
    guard pretty else { return compact }
    var body = prettyBuffer
    body.writeInteger(UInt8(0x0A))
    return body
  }

  private var prettyBuffer: ByteBuffer {
    if let rendered = prettyForm.withLock({ $0 }) { return rendered }
    var bytes: [UInt8] = []
    value.write(into: &bytes, pretty: true, indent: 0)
    let rendered = ByteBuffer(bytes: bytes)
    prettyForm.withLock { $0 = rendered }
    return rendered
  }

  func write(into output: inout [UInt8], pretty usePretty: Bool, indent: Int) {
    guard usePretty else { output.append(contentsOf: compact.readableBytesView); return }
    let pretty = prettyBuffer.readableBytesView
    guard indent > 0 else { output.append(contentsOf: pretty); return }
    for byte in pretty {
      output.append(byte)
      if byte == 0x0A { output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2)) }
    }
  }
}
