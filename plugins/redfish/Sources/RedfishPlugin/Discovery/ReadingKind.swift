/// What a Redfish reading is in Synse terms: the device type and the SDK built-in output
/// (`Output.builtIn` names), chosen from the reading's UCUM unit and its Redfish `ReadingType`.
///
/// One table decides for every source: `Sensor` (`ReadingUnits`, `ReadingType`), legacy
/// `Thermal`/`Power` members (their array gives the unit: `Temperatures` `Cel`, `Voltages` `V`,
/// `Fans` `ReadingUnits` `RPM`/`Percent`) and circuit excerpts (`CurrentAmps` `A`, …).
///
/// | UCUM unit | ReadingType | deviceType | output |
/// |---|---|---|---|
/// | `Cel` | any | temperature | temperature |
/// | `V` | any | voltage | voltage |
/// | `W` | any | power | watt |
/// | `A` | any | current | electric-current |
/// | `RPM`, `{rev}/min` | any | fan | rpm |
/// | `%` | `Humidity` | humidity | humidity |
/// | `%` | fan (a `Fans` member, or a Sensor with `SpeedRPM`) | fan | percentage |
/// | `%` | other | percentage | percentage |
/// | `kW.h` | any | energy | kilowatt-hour |
/// | `kJ` | any | energy | kilojoule |
/// | `Hz` | any | frequency | frequency |
/// | `Pa` | any | pressure | pascal |
/// | other or none | `ReadingType` lowercased, else `number` | | number (unit in context `unit`) |
///
/// The unit decides the output because a value is only meaningful in its unit (a `Pressure`
/// reading in `kPa` must not be shown as pascal); `ReadingType` only refines `%`.
struct ReadingKind: Sendable, Equatable {
  var deviceType: String
  var output: String
  /// The unit when no output carries it (`number`), for the reading's context.
  var unitNote: String?

  /// The fan pseudo-type: legacy `Fans` members and `Sensor`s with `SpeedRPM`.
  static let fan = "Fan"

  private static let byUnit: [String: (deviceType: String, output: String)] = [
    "Cel": ("temperature", "temperature"),
    "V": ("voltage", "voltage"),
    "W": ("power", "watt"),
    "A": ("current", "electric-current"),
    "RPM": ("fan", "rpm"),
    "{rev}/min": ("fan", "rpm"),
    "%": ("percentage", "percentage"),
    "kW.h": ("energy", "kilowatt-hour"),
    "kJ": ("energy", "kilojoule"),
    "Hz": ("frequency", "frequency"),
    "Pa": ("pressure", "pascal"),
  ]

  /// Legacy spellings of UCUM units (`Fans` `ReadingUnits` is `RPM` or `Percent`).
  private static let aliases: [String: String] = ["Percent": "%"]

  /// The kind of a reading in `unit` (UCUM or a legacy alias) whose Redfish `ReadingType` is
  /// `readingType` (or ``fan``).
  static func of(unit: String?, readingType: String?) -> ReadingKind {
    let ucum = unit.map { aliases[$0] ?? $0 }
    guard let ucum, let row = byUnit[ucum] else {
      let type = readingType.map { $0 == fan ? "fan" : $0.lowercased() } ?? "number"
      return ReadingKind(deviceType: type, output: "number", unitNote: unit)
    }
    if ucum == "%" {
      if readingType == "Humidity" { return ReadingKind(deviceType: "humidity", output: "humidity") }
      if readingType == fan { return ReadingKind(deviceType: "fan", output: "percentage") }
    }
    return ReadingKind(deviceType: row.deviceType, output: row.output)
  }
}
