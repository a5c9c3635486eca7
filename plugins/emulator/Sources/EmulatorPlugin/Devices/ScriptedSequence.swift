import Foundation
import Synchronization
import SynseSDK

/// One scripted device's values and position (see ``Scripted``).
final class ScriptedSequence: Sendable {
  /// What happens after the last value.
  enum End: String, Sendable, CaseIterable {
    /// Start again from the first value.
    case `repeat`
    /// Keep reading the last value.
    case hold
  }

  let output: Output
  let end: End
  private let state: Mutex<(values: [ReadingValue], position: Int)>

  init(values: [ReadingValue], output: Output = .temperature, end: End = .repeat) {
    precondition(!values.isEmpty, "a scripted sequence needs at least one value")
    self.output = output
    self.end = end
    state = Mutex((values, 0))
  }

  /// Reads the device's `data`: `values`, `output` and `end`, as ``Scripted`` documents.
  /// - Throws: ``HandlerError`` naming the device and the key, for no or an empty `values`,
  ///   a value that is not a number, an output that is not registered or an unknown `end`.
  convenience init(device: Device, outputs: [String: Output]) throws {
    let name = "scripted device '\(device.info)'"
    guard let raw = device.data["values"] else {
      throw HandlerError("\(name): data.values is missing (want a non-empty list of numbers)")
    }
    let values = try ScriptedValues.parse(raw, key: "data.values", owner: name)
    var output = Output.temperature
    if let entry = device.data["output"] {
      guard case .string(let outputName) = entry, let found = outputs[outputName] else {
        throw HandlerError("\(name): data.output '\(ScriptedValues.describe(entry))' is not a known output")
      }
      output = found
    }
    var end = End.repeat
    if let entry = device.data["end"] {
      guard case .string(let text) = entry, let found = End(rawValue: text) else {
        throw HandlerError("\(name): data.end '\(ScriptedValues.describe(entry))' is not an end mode (want repeat or hold)")
      }
      end = found
    }
    self.init(values: values, output: output, end: end)
  }

  /// The value for this read pass; advances the position.
  func next() -> ReadingValue {
    state.withLock { state in
      if state.position >= state.values.count {
        switch end {
        case .repeat: state.position = 0
        case .hold: return state.values[state.values.count - 1]
        }
      }
      defer { state.position += 1 }
      return state.values[state.position]
    }
  }

  /// Replaces the values; the next read pass reads the first of them.
  func replace(values: [ReadingValue]) {
    precondition(!values.isEmpty, "a scripted sequence needs at least one value")
    state.withLock { $0 = (values, 0) }
  }
}

/// Parsing of scripted values, from device config and from `script` writes.
enum ScriptedValues {
  /// A config list of YAML numbers (integers stay integers) as reading values.
  /// - Throws: ``HandlerError`` `<owner>: <key> ...` when `raw` is not a non-empty list of numbers.
  static func parse(_ raw: ConfigValue, key: String, owner: String) throws -> [ReadingValue] {
    guard case .list(let items) = raw, !items.isEmpty else {
      throw HandlerError("\(owner): \(key) must be a non-empty list of numbers, got '\(describe(raw))'")
    }
    return try items.enumerated().map { index, item in
      switch item {
      case .int(let number): return .int64(number)
      case .float(let number) where number.isFinite: return .float64(number)
      default: throw HandlerError("\(owner): \(key)[\(index)] '\(describe(item))' is not a number")
      }
    }
  }

  /// The data of a `script` write: a JSON list of finite numbers such as `[20, 45.5]`.
  /// - Throws: ``HandlerError`` (the transaction's `message`) for anything else or an empty list.
  static func parseWrite(_ text: String) throws -> [ReadingValue] {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.hasPrefix("["), trimmed.hasSuffix("]"), trimmed.count >= 2 else {
      throw HandlerError("script data '\(text)' must be a JSON list of numbers, e.g. [20, 45.5]")
    }
    let body = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespacesAndNewlines)
    guard !body.isEmpty else { throw HandlerError("script data '\(text)' has no values") }
    return try body.split(separator: ",", omittingEmptySubsequences: false).enumerated().map { index, token in
      let number = token.trimmingCharacters(in: .whitespacesAndNewlines)
      if let integer = Int64(number) { return .int64(integer) }
      // Double() also takes "nan" and "inf", which are not JSON numbers.
      if let real = Double(number), real.isFinite, number.first.map({ $0 == "-" || $0.isNumber }) == true {
        return .float64(real)
      }
      throw HandlerError("script data value \(index) '\(number)' is not a number")
    }
  }

  /// A config value as it would be written in YAML, for messages.
  static func describe(_ value: ConfigValue) -> String {
    switch value {
    case .null: return "null"
    case .bool(let flag): return String(flag)
    case .int(let number): return String(number)
    case .float(let number): return String(number)
    case .string(let text): return text
    case .list(let items): return "[" + items.map(describe).joined(separator: ", ") + "]"
    case .map(let pairs): return "{" + pairs.map { "\($0.key): \(describe($0.value))" }.joined(separator: ", ") + "}"
    }
  }
}
