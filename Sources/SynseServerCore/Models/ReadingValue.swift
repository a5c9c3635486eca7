public import Foundation

/// How plugin values become JSON, so that every value yields valid JSON:
/// - NaN and ±Infinity (float32 or float64) become `null`; the original server emitted
///   invalid JSON tokens for infinities and `null` for NaN.
/// - A string that reads as NaN (`"nan"`, `"NaN"`) becomes `null`, as in the original.
/// - Bytes that are UTF-8 become that text, or the embedded object/array when the text is a
///   JSON object or array (as in the original); bytes that are not UTF-8 become
///   `{"base64": "<standard base64>"}` instead of breaking the response.
enum ReadingValue {
  static func string(_ text: String) -> JSONValue {
    let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
    return ["nan", "+nan", "-nan"].contains(lowered) ? .null : .string(text)
  }

  static func double(_ number: Double) -> JSONValue {
    number.isFinite ? .double(number) : .null
  }

  static func bytes(_ data: Data) -> JSONValue {
    guard let text = String(data: data, encoding: .utf8) else {
      return .object([("base64", .string(data.base64EncodedString()))])
    }
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.hasPrefix("{") || trimmed.hasPrefix("["),
      let value = JSONValue(parsing: Data(trimmed.utf8))
    {
      return value
    }
    return string(text)
  }
}

extension JSONValue: Decodable {
  /// Decodes any JSON document (object keys sorted, since JSON objects are unordered).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() { self = .null }
    else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
    else if let integer = try? container.decode(Int64.self) { self = .int(integer) }
    else if let integer = try? container.decode(UInt64.self) { self = .uint(integer) }
    else if let number = try? container.decode(Double.self) { self = .double(number) }
    else if let text = try? container.decode(String.self) { self = .string(text) }
    else if let items = try? container.decode([JSONValue].self) { self = .array(items) }
    else {
      let object = try container.decode([String: JSONValue].self)
      self = .object(object.keys.sorted().map { ($0, object[$0]!) })
    }
  }

  /// Parses JSON text; `nil` when it is not JSON.
  public init?(parsing data: Data) {
    guard let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
    self = value
  }
}
