/// Synse readings as OpenTelemetry hardware metrics (semantic conventions "Hardware", `hw.*`):
/// the one table from a reading to its instrument, unit (UCUM) and value.
///
/// | reading | instrument | unit | value |
/// |---|---|---|---|
/// | celsius, fahrenheit, kelvin | `hw.temperature` (gauge) | `Cel` | converted to °C |
/// | volt | `hw.voltage` (gauge) | `V` | |
/// | watt | `hw.power` (gauge) | `W` | |
/// | joule, kilojoule, kilowatt-hour | `hw.energy` (counter) | `J` | converted to J |
/// | revolutions per minute | `hw.fan.speed` (gauge) | `rpm` | |
/// | percent of a `fan` or `pwm` device | `hw.fan.speed_ratio` (gauge) | `1` | ÷ 100 |
/// | anything else numeric | `synse.device.<reading type>` (gauge) | the unit's UCUM code, else its symbol | as read |
///
/// Every series carries `hw.id` (device ID), `hw.name` (device info), `hw.type` (``hwType(_:)``),
/// `hw.parent` (the plugin the device is reached through) and `synse.plugin`; `sensor_location`
/// when the device's metadata has a `location`. A device's sensor health is `hw.status`
/// (``statusStates``).
enum HardwareConventions {
  struct Instrument: Equatable {
    let name: String
    let unit: String
    let counter: Bool
    let description: String
  }

  /// The instrument of a reading of `unit` (its name, as the plugin sends it) on a device of
  /// `deviceType`, and the function from the reading's value to the instrument's.
  static func instrument(type: String, unit: String?, deviceType: String) -> (Instrument, (Double) -> Double) {
    switch unit?.lowercased() ?? "" {
    case "celsius": return (.init(name: "hw.temperature", unit: "Cel", counter: false, description: "Temperature in degrees Celsius"), { $0 })
    case "fahrenheit": return (.init(name: "hw.temperature", unit: "Cel", counter: false, description: "Temperature in degrees Celsius"), { ($0 - 32) * 5 / 9 })
    case "kelvin": return (.init(name: "hw.temperature", unit: "Cel", counter: false, description: "Temperature in degrees Celsius"), { $0 - 273.15 })
    case "volt": return (.init(name: "hw.voltage", unit: "V", counter: false, description: "Voltage measured by the sensor"), { $0 })
    case "watt": return (.init(name: "hw.power", unit: "W", counter: false, description: "Instantaneous power consumed by the component"), { $0 })
    case "joule": return (energy, { $0 })
    case "kilojoule": return (energy, { $0 * 1000 })
    case "kilowatt-hour": return (energy, { $0 * 3_600_000 })
    case "revolutions per minute": return (.init(name: "hw.fan.speed", unit: "rpm", counter: false, description: "Fan speed in revolutions per minute"), { $0 })
    case "percent" where deviceType == "fan" || deviceType == "pwm":
      return (.init(name: "hw.fan.speed_ratio", unit: "1", counter: false, description: "Fan speed expressed as a fraction of its maximum speed"), { $0 / 100 })
    default:
      let name = "synse.device." + ReadingMetrics.sanitize(type)
      return (.init(name: name, unit: ucum[unit?.lowercased() ?? ""] ?? unit ?? "1", counter: false, description: "Synse \(type) reading"), { $0 })
    }
  }

  static let energy = Instrument(name: "hw.energy", unit: "J", counter: true, description: "Energy consumed by the component")

  /// UCUM codes of the other units plugins send.
  static let ucum: [String: String] = [
    "ampere": "A", "hertz": "Hz", "percent": "%", "percent humidity": "%", "pascal": "Pa", "pounds per square inch": "[psi]",
    "seconds": "s", "milliseconds": "ms", "microseconds": "us", "nanoseconds": "ns", "minutes": "min", "meters per second": "m/s",
    "millimeters per second": "mm/s", "ohm": "Ohm", "volt second": "V.s", "weber": "Wb",
  ]

  /// `hw.type`: the conventions' own type where the device type is one (fan, temperature,
  /// voltage, power_supply, battery, …), else the Synse device type, as the conventions allow.
  static func hwType(_ deviceType: String) -> String {
    switch deviceType.lowercased() {
    case "psu", "power_supply", "power-supply": return "power_supply"
    default: return ReadingMetrics.sanitize(deviceType)
    }
  }

  /// `hw.status` states and which sensor health makes each current: Redfish's Warning is
  /// degraded, Critical and Fatal are failed (unknown health sets none).
  static let statusStates: [(state: String, health: Set<HealthState>)] = [
    ("ok", [.ok]), ("degraded", [.warning]), ("failed", [.critical, .fatal]),
  ]
}
