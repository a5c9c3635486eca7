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
    default: return false
    }
  }

  /// Serialises the value; `pretty` indents by two spaces and appends a newline, as the
  /// original server's `pretty_json` does.
  public func serialized(pretty: Bool) -> String {
    var output = ""
    output.reserveCapacity(256)
    write(into: &output, pretty: pretty, indent: 0)
    if pretty { output.append("\n") }
    return output
  }

  private func write(into output: inout String, pretty: Bool, indent: Int) {
    switch self {
    case .null: output.append("null")
    case .bool(let flag): output.append(flag ? "true" : "false")
    case .int(let number): output.append(String(number))
    case .uint(let number): output.append(String(number))
    case .double(let number):
      guard number.isFinite else { output.append("null"); return }
      if number == number.rounded(), abs(number) < 1e15 {
        output.append(String(Int64(number)))
        output.append(".0")
      } else {
        output.append("\(number)")
      }
    case .string(let text): Self.writeString(text, into: &output)
    case .array(let items):
      if items.isEmpty { output.append("[]"); return }
      output.append("[")
      for (index, item) in items.enumerated() {
        if index > 0 { output.append(",") }
        if pretty { Self.newline(&output, indent + 1) }
        item.write(into: &output, pretty: pretty, indent: indent + 1)
      }
      if pretty { Self.newline(&output, indent) }
      output.append("]")
    case .object(let pairs):
      if pairs.isEmpty { output.append("{}"); return }
      output.append("{")
      for (index, (key, value)) in pairs.enumerated() {
        if index > 0 { output.append(",") }
        if pretty { Self.newline(&output, indent + 1) }
        Self.writeString(key, into: &output)
        output.append(pretty ? ": " : ":")
        value.write(into: &output, pretty: pretty, indent: indent + 1)
      }
      if pretty { Self.newline(&output, indent) }
      output.append("}")
    }
  }

  private static func newline(_ output: inout String, _ indent: Int) {
    output.append("\n")
    output.append(String(repeating: "  ", count: indent))
  }

  private static func writeString(_ text: String, into output: inout String) {
    output.append("\"")
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": output.append("\\\"")
      case "\\": output.append("\\\\")
      case "\n": output.append("\\n")
      case "\r": output.append("\\r")
      case "\t": output.append("\\t")
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
      default: output.unicodeScalars.append(scalar)
      }
    }
    output.append("\"")
  }
}
