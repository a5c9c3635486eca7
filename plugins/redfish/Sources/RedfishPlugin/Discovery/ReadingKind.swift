/// What a Redfish reading is in Synse terms: the device type and the SDK built-in output
/// (`Output.builtIn` names), from the reading's Redfish `ReadingType` and UCUM unit.
///
/// One table serves every source: `Sensor` (`ReadingType`, `ReadingUnits`), legacy
/// `Thermal`/`Power` members (their array gives both: `Temperatures` are `Temperature` in `Cel`,
/// `Voltages` `Voltage` in `V`, `Fans` are fans in `ReadingUnits` `RPM` or `Percent`) and circuit
/// excerpts (`CurrentAmps` is `Current` in `A`, …).
///
/// | ReadingType | UCUM unit | deviceType | output |
/// |---|---|---|---|
/// | `Temperature` | `Cel` | temperature | temperature |
/// | `Voltage` | `V` | voltage | voltage |
/// | `Power` | `W` | power | watt |
/// | `Current` | `A` | current | electric-current |
/// | `Rotational` | `RPM` | fan | rpm |
/// | `Percent` (or no ReadingType) | `%` | percentage | percentage |
/// | `Humidity` | `%` | humidity | humidity |
/// | `EnergykWh` | `kW.h` | energy | kilowatt-hour |
/// | `Frequency` | `Hz` | frequency | frequency |
/// | `PressurePa`, `Pressure` | `Pa` | pressure | pascal |
/// | — | `kJ` | energy | kilojoule |
/// | fan (a `Fans` member, or a `Percent` Sensor with `SpeedRPM`) | `RPM` / `%` (`Percent`) | fan | rpm / percentage |
/// | anything else | | `ReadingType` lowercased, else `number` | number, unit in context `unit` |
///
/// A known `ReadingType` decides, because the Sensor schema fixes its unit ("ReadingUnits shall
/// be `Cel`" for `Temperature`) and services get the unit string wrong (the DMTF PDU mockup
/// sends `C` for `Temperature` and `kW` for `EnergykWh`, and no unit at all for absent sensors);
/// the unit decides only when `ReadingType` is absent or unknown.
struct ReadingKind: Sendable, Equatable {
  var deviceType: String
  var output: String
  /// The unit when no output carries it (`number`), for the reading's context.
  var unitNote: String?

  /// The fan pseudo-type: legacy `Fans` members and `Percent` Sensors with `SpeedRPM`.
  static let fan = "Fan"

  private struct Row {
    var readingTypes: [String]
    var unit: String
    var deviceType: String
    var output: String
  }

  private static let table: [Row] = [
    Row(readingTypes: ["Temperature"], unit: "Cel", deviceType: "temperature", output: "temperature"),
    Row(readingTypes: ["Voltage"], unit: "V", deviceType: "voltage", output: "voltage"),
    Row(readingTypes: ["Power"], unit: "W", deviceType: "power", output: "watt"),
    Row(readingTypes: ["Current"], unit: "A", deviceType: "current", output: "electric-current"),
    Row(readingTypes: ["Rotational"], unit: "RPM", deviceType: "fan", output: "rpm"),
    Row(readingTypes: ["Percent"], unit: "%", deviceType: "percentage", output: "percentage"),
    // After `Percent`: a `%` reading without a ReadingType is a percentage, not a humidity.
    Row(readingTypes: ["Humidity"], unit: "%", deviceType: "humidity", output: "humidity"),
    Row(readingTypes: ["EnergykWh"], unit: "kW.h", deviceType: "energy", output: "kilowatt-hour"),
    Row(readingTypes: ["Frequency"], unit: "Hz", deviceType: "frequency", output: "frequency"),
    Row(readingTypes: ["PressurePa", "Pressure"], unit: "Pa", deviceType: "pressure", output: "pascal"),
    Row(readingTypes: [], unit: "kJ", deviceType: "energy", output: "kilojoule"),
  ]

  /// Legacy and UCUM spellings of the units above (`Fans` say `Percent`; `{rev}/min` is UCUM).
  private static let aliases: [String: String] = ["Percent": "%", "{rev}/min": "RPM"]

  /// The kind of a reading in `unit` whose Redfish `ReadingType` is `readingType` (or ``fan``).
  static func of(unit: String?, readingType: String?) -> ReadingKind {
    let ucum = unit.map { aliases[$0] ?? $0 }
    if readingType == fan {
      switch ucum {
      case "RPM": return ReadingKind(deviceType: "fan", output: "rpm")
      case "%": return ReadingKind(deviceType: "fan", output: "percentage")
      default: return ReadingKind(deviceType: "fan", output: "number", unitNote: unit)
      }
    }
    if let readingType, let row = table.first(where: { $0.readingTypes.contains(readingType) }) {
      return ReadingKind(deviceType: row.deviceType, output: row.output)
    }
    if let ucum, let row = table.first(where: { $0.unit == ucum }) {
      return ReadingKind(deviceType: row.deviceType, output: row.output)
    }
    return ReadingKind(deviceType: readingType?.lowercased() ?? "number", output: "number", unitNote: unit)
  }
}
