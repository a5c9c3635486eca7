/// A unit of measure attached to an output and its readings (`V3OutputUnit`).
///
/// Synse Server shows it as the reading's `unit` object, or `null` when both strings are empty.
public struct Unit: Sendable, Hashable {
  /// Long name, e.g. `celsius`.
  public var name: String
  /// Symbol, e.g. `C`; any Unicode (`Ω` is U+03A9, `µ` U+00B5).
  public var symbol: String
  /// Creates a unit.
  public init(name: String, symbol: String) {
    self.name = name
    self.symbol = symbol
  }
}

/// A kind of reading a device produces: its type, precision hint and unit
/// (docs/plugin-protocol.md §4.4).
///
/// Built-ins below are registered in every plugin; a plugin registers its own with
/// ``Plugin/register(output:)``, and a device config selects one by ``name`` (`output:`).
public struct Output: Sendable, Hashable {
  /// Unique within the plugin; what device configs name. A duplicate makes
  /// ``Plugin/register(output:)`` throw ``ConfigError/Code/invalidValue``.
  public var name: String
  /// The reading `type` Synse Server shows (`temperature`, `state`); shared by several outputs.
  public var type: String
  /// Decimal places a client should display; metadata only, since neither the SDK nor Synse
  /// Server rounds values (§4.3).
  public var precision: Int32
  /// `nil` for unitless outputs; sent as an empty unit, which the server shows as `null`.
  public var unit: Unit?

  /// Creates an output; register it before devices refer to it.
  public init(name: String, type: String, precision: Int32 = 0, unit: Unit? = nil) {
    self.name = name
    self.type = type
    self.precision = precision
    self.unit = unit
  }

  /// A reading of this output, stamped now; `type` and `unit` come from the output on the wire.
  public func reading(_ value: ReadingValue, context: [String: String] = [:]) -> Reading {
    Reading(output: self, value: value, context: context)
  }
}

/// The Go SDK's built-in outputs, one per row of docs/plugin-protocol.md §4.4 (from
/// vapor-ware/synse-sdk `sdk/output/`): same names, reading types, precisions and units, so
/// device configs written for Go plugins resolve unchanged.
extension Output {
  /// Type `color`, no unit, precision 0: a colour as text (`red`, `ff0000`, `255,0,0`).
  public static let color = Output(name: "color", type: "color")
  /// Type `count`, no unit, precision 0.
  public static let count = Output(name: "count", type: "count")
  /// Type `direction`, no unit, precision 0: e.g. which way a fan spins.
  public static let direction = Output(name: "direction", type: "direction")
  /// Type `current`, ampere (`A`), precision 3.
  public static let electricCurrent = Output(name: "electric-current", type: "current", precision: 3, unit: Unit(name: "ampere", symbol: "A"))
  /// Type `resistance`, ohm (`Ω`), precision 2.
  public static let electricResistance = Output(name: "electric-resistance", type: "resistance", precision: 2, unit: Unit(name: "ohm", symbol: "\u{03A9}"))
  /// Type `frequency`, hertz (`Hz`), precision 2.
  public static let frequency = Output(name: "frequency", type: "frequency", precision: 2, unit: Unit(name: "hertz", symbol: "Hz"))
  /// Type `humidity`, percent humidity (`%`), precision 2.
  public static let humidity = Output(name: "humidity", type: "humidity", precision: 2, unit: Unit(name: "percent humidity", symbol: "%"))
  /// Type `energy`, kilojoule (`kJ`), precision 3.
  public static let kilojoule = Output(name: "kilojoule", type: "energy", precision: 3, unit: Unit(name: "kilojoule", symbol: "kJ"))
  /// Type `energy`, kilowatt-hour (`kWh`), precision 3.
  public static let kilowattHour = Output(name: "kilowatt-hour", type: "energy", precision: 3, unit: Unit(name: "kilowatt-hour", symbol: "kWh"))
  /// Type `duration`, microseconds (`µs`), precision 6.
  public static let microseconds = Output(name: "microseconds", type: "duration", precision: 6, unit: Unit(name: "microseconds", symbol: "\u{00B5}s"))
  /// Type `duration`, milliseconds (`ms`), precision 6.
  public static let milliseconds = Output(name: "milliseconds", type: "duration", precision: 6, unit: Unit(name: "milliseconds", symbol: "ms"))
  /// Type `duration`, minutes (`min`), precision 6.
  public static let minutes = Output(name: "minutes", type: "duration", precision: 6, unit: Unit(name: "minutes", symbol: "min"))
  /// Type `duration`, nanoseconds (`ns`), precision 6.
  public static let nanoseconds = Output(name: "nanoseconds", type: "duration", precision: 6, unit: Unit(name: "nanoseconds", symbol: "ns"))
  /// Type `number`, no unit, precision 2.
  public static let number = Output(name: "number", type: "number", precision: 2)
  /// Type `pressure`, pascal (`Pa`), precision 3.
  public static let pascal = Output(name: "pascal", type: "pressure", precision: 3, unit: Unit(name: "pascal", symbol: "Pa"))
  /// Type `percentage`, percent (`%`), precision 0.
  public static let percentage = Output(name: "percentage", type: "percentage", unit: Unit(name: "percent", symbol: "%"))
  /// Type `pressure`, pounds per square inch (`psi`), precision 3.
  public static let psi = Output(name: "psi", type: "pressure", precision: 3, unit: Unit(name: "pounds per square inch", symbol: "psi"))
  /// Type `frequency`, revolutions per minute (`RPM`), precision 2.
  public static let rpm = Output(name: "rpm", type: "frequency", precision: 2, unit: Unit(name: "revolutions per minute", symbol: "RPM"))
  /// Type `duration`, seconds (`s`), precision 3.
  public static let seconds = Output(name: "seconds", type: "duration", precision: 3, unit: Unit(name: "seconds", symbol: "s"))
  /// Type `state`, no unit, precision 0: a state as text (`on`, `off`).
  public static let state = Output(name: "state", type: "state")
  /// Type `status`, no unit, precision 0: a status as text (`operational`).
  public static let status = Output(name: "status", type: "status")
  /// Type `string`, no unit, precision 0.
  public static let string = Output(name: "string", type: "string")
  /// Type `state` (not `switch`), no unit, precision 1.
  public static let `switch` = Output(name: "switch", type: "state", precision: 1)
  /// Type `temperature`, celsius (`C`), precision 2.
  public static let temperature = Output(name: "temperature", type: "temperature", precision: 2, unit: Unit(name: "celsius", symbol: "C"))
  /// Type `timestamp`, no unit, precision 0.
  public static let timestamp = Output(name: "timestamp", type: "timestamp")
  /// Type `velocity`, meters per second (`m/s`), precision 3.
  public static let velocity = Output(name: "velocity", type: "velocity", precision: 3, unit: Unit(name: "meters per second", symbol: "m/s"))
  /// Type `voltage`, volt (`V`), precision 5.
  public static let voltage = Output(name: "voltage", type: "voltage", precision: 5, unit: Unit(name: "volt", symbol: "V"))
  /// Type `flux`, volt second (`Vs`), precision 3.
  public static let voltSecond = Output(name: "volt-second", type: "flux", precision: 3, unit: Unit(name: "volt second", symbol: "Vs"))
  /// Type `power`, watt (`W`), precision 3.
  public static let watt = Output(name: "watt", type: "power", precision: 3, unit: Unit(name: "watt", symbol: "W"))
  /// Type `flux`, weber (`Wb`), precision 3.
  public static let weber = Output(name: "weber", type: "flux", precision: 3, unit: Unit(name: "weber", symbol: "Wb"))

  /// The Go SDK's built-in outputs, registered in every plugin.
  public static let builtIn: [Output] = [
    .color, .count, .direction, .electricCurrent, .electricResistance, .frequency, .humidity, .kilojoule,
    .kilowattHour, .microseconds, .milliseconds, .minutes, .nanoseconds, .number, .pascal, .percentage, .psi,
    .rpm, .seconds, .state, .status, .string, .switch, .temperature, .timestamp, .velocity, .voltage,
    .voltSecond, .watt, .weber,
  ]
}
