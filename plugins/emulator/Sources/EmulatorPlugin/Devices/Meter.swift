import SynseSDK

/// A device that returns the readings its config lists, each with its own output, value and
/// context: the shape of a multi-channel meter (the original's eGauge power meters, one device
/// with a voltage per leg), for testing that servers keep every reading of a device apart.
///
/// ```yaml
/// - type: power
///   handler: meter
///   instances:
///     - info: Panel A
///       data:
///         readings:
///           - {output: voltage, value: 120.1, context: {leg: "1"}}
///           - {output: voltage, value: 119.7, context: {leg: "2"}}
///           - {output: voltage, value: 239.8, context: {leg: "1-2"}}
/// ```
///
/// `output` names a built-in or emulator output; `value` is an integer, a float or a string,
/// returned as given; `context` (optional) maps names to scalars, sent as text. A reading that
/// does not fit fails the device's read with a message naming the reading's position.
enum Meter {
  static func handler(outputs: [Output]) -> DeviceHandler {
    let byName = Dictionary(outputs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    return DeviceHandler(
      name: "meter",
      read: { device in
        guard case .list(let items)? = device.data["readings"], !items.isEmpty else {
          throw HandlerError("meter device needs data.readings: a non-empty list of {output, value, context}")
        }
        return try items.enumerated().map { position, item in try reading(item, position: position, outputs: byName) }
      })
  }

  private static func reading(_ item: ConfigValue, position: Int, outputs: [String: Output]) throws -> Reading {
    guard case .string(let name)? = item["output"], let output = outputs[name] else {
      throw HandlerError("meter reading \(position): output must name a known output")
    }
    let value: ReadingValue
    switch item["value"] {
    case .int(let number)?: value = .int64(number)
    case .float(let number)?: value = .float64(number)
    case .string(let text)?: value = .string(text)
    default: throw HandlerError("meter reading \(position): value must be a number or a string")
    }
    var context: [String: String] = [:]
    for (key, entry) in item["context"]?.mapPairs ?? [] {
      switch entry {
      case .string(let text): context[key] = text
      case .int(let number): context[key] = String(number)
      case .float(let number): context[key] = String(number)
      case .bool(let flag): context[key] = String(flag)
      default: throw HandlerError("meter reading \(position): context value '\(key)' must be a scalar")
      }
    }
    return output.reading(value, context: context)
  }
}
