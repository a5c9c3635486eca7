/// A unit of measure attached to an output and its readings.
public struct Unit: Sendable, Hashable {
  public var name: String
  public var symbol: String
  public init(name: String, symbol: String) {
    self.name = name
    self.symbol = symbol
  }
}

/// A kind of reading a device produces: its type, precision hint and unit
/// (docs/plugin-protocol.md §4.4).
public struct Output: Sendable, Hashable {
  public var name: String
  public var type: String
  public var precision: Int32
  public var unit: Unit?

  public init(name: String, type: String, precision: Int32 = 0, unit: Unit? = nil) {
    self.name = name
    self.type = type
    self.precision = precision
    self.unit = unit
  }

  /// A reading of this output, stamped now.
  public func reading(_ value: ReadingValue, context: [String: String] = [:]) -> Reading {
    Reading(output: self, value: value, context: context)
  }
}

extension Output {
  public static let color = Output(name: "color", type: "color")
  public static let count = Output(name: "count", type: "count")
  public static let direction = Output(name: "direction", type: "direction")
  public static let electricCurrent = Output(name: "electric-current", type: "current", precision: 3, unit: Unit(name: "ampere", symbol: "A"))
  public static let electricResistance = Output(name: "electric-resistance", type: "resistance", precision: 2, unit: Unit(name: "ohm", symbol: "\u{03A9}"))
  public static let frequency = Output(name: "frequency", type: "frequency", precision: 2, unit: Unit(name: "hertz", symbol: "Hz"))
  public static let humidity = Output(name: "humidity", type: "humidity", precision: 2, unit: Unit(name: "percent humidity", symbol: "%"))
  public static let kilojoule = Output(name: "kilojoule", type: "energy", precision: 3, unit: Unit(name: "kilojoule", symbol: "kJ"))
  public static let kilowattHour = Output(name: "kilowatt-hour", type: "energy", precision: 3, unit: Unit(name: "kilowatt-hour", symbol: "kWh"))
  public static let microseconds = Output(name: "microseconds", type: "duration", precision: 6, unit: Unit(name: "microseconds", symbol: "\u{00B5}s"))
  public static let milliseconds = Output(name: "milliseconds", type: "duration", precision: 6, unit: Unit(name: "milliseconds", symbol: "ms"))
  public static let minutes = Output(name: "minutes", type: "duration", precision: 6, unit: Unit(name: "minutes", symbol: "min"))
  public static let nanoseconds = Output(name: "nanoseconds", type: "duration", precision: 6, unit: Unit(name: "nanoseconds", symbol: "ns"))
  public static let number = Output(name: "number", type: "number", precision: 2)
  public static let pascal = Output(name: "pascal", type: "pressure", precision: 3, unit: Unit(name: "pascal", symbol: "Pa"))
  public static let percentage = Output(name: "percentage", type: "percentage", unit: Unit(name: "percent", symbol: "%"))
  public static let psi = Output(name: "psi", type: "pressure", precision: 3, unit: Unit(name: "pounds per square inch", symbol: "psi"))
  public static let rpm = Output(name: "rpm", type: "frequency", precision: 2, unit: Unit(name: "revolutions per minute", symbol: "RPM"))
  public static let seconds = Output(name: "seconds", type: "duration", precision: 3, unit: Unit(name: "seconds", symbol: "s"))
  public static let state = Output(name: "state", type: "state")
  public static let status = Output(name: "status", type: "status")
  public static let string = Output(name: "string", type: "string")
  public static let `switch` = Output(name: "switch", type: "state", precision: 1)
  public static let temperature = Output(name: "temperature", type: "temperature", precision: 2, unit: Unit(name: "celsius", symbol: "C"))
  public static let timestamp = Output(name: "timestamp", type: "timestamp")
  public static let velocity = Output(name: "velocity", type: "velocity", precision: 3, unit: Unit(name: "meters per second", symbol: "m/s"))
  public static let voltage = Output(name: "voltage", type: "voltage", precision: 5, unit: Unit(name: "volt", symbol: "V"))
  public static let voltSecond = Output(name: "volt-second", type: "flux", precision: 3, unit: Unit(name: "volt second", symbol: "Vs"))
  public static let watt = Output(name: "watt", type: "power", precision: 3, unit: Unit(name: "watt", symbol: "W"))
  public static let weber = Output(name: "weber", type: "flux", precision: 3, unit: Unit(name: "weber", symbol: "Wb"))

  /// The Go SDK's built-in outputs, registered in every plugin.
  public static let builtIn: [Output] = [
    .color, .count, .direction, .electricCurrent, .electricResistance, .frequency, .humidity, .kilojoule,
    .kilowattHour, .microseconds, .milliseconds, .minutes, .nanoseconds, .number, .pascal, .percentage, .psi,
    .rpm, .seconds, .state, .status, .string, .switch, .temperature, .timestamp, .velocity, .voltage,
    .voltSecond, .watt, .weber,
  ]
}
