import SynseSDK

/// The sensor families of the hwmon ABI (docs/hwmon.md §1.4) and how each becomes a Synse device.
public enum HwmonFamily: String, CaseIterable, Sendable {
  case temp, `in`, fan, pwm, curr, power, energy, humidity, intrusion, freq

  /// The Synse device type (and, except controllable fans, the handler name).
  public var deviceType: String {
    switch self {
    case .temp: return "temperature"
    case .in: return "voltage"
    case .fan: return "fan"
    case .pwm: return "pwm"
    case .curr: return "current"
    case .power: return "power"
    case .energy: return "energy"
    case .humidity: return "humidity"
    case .intrusion: return "intrusion"
    case .freq: return "frequency"
    }
  }

  static let joule = Output(name: "joule", type: "energy", precision: 3, unit: Unit(name: "joule", symbol: "J"))

  var output: Output {
    switch self {
    case .temp: return .temperature
    case .in: return .voltage
    case .fan: return .rpm
    case .pwm: return .percentage
    case .curr: return .electricCurrent
    case .power: return .watt
    case .energy: return Self.joule
    case .humidity: return .humidity
    case .intrusion: return .status
    case .freq: return .frequency
    }
  }

  /// Raw sysfs units per SI unit: millidegree, millivolt, milliampere, microwatt,
  /// microjoule, milli-percent.
  var divisor: Double {
    switch self {
    case .temp, .in, .curr, .humidity: return 1000
    case .power, .energy: return 1_000_000
    case .fan, .pwm, .intrusion, .freq: return 1
    }
  }

  /// Values outside these bounds (in SI units) come from broken sensors or floating inputs
  /// and are reported as invalid instead of as readings.
  var plausible: ClosedRange<Double> {
    switch self {
    case .temp: return -273.15...1000
    case .in: return -10_000...10_000
    case .fan: return 0...1_000_000
    case .pwm: return 0...100
    case .curr: return -100_000...100_000
    case .power: return -1_000_000...1_000_000
    case .energy: return 0...Double.greatestFiniteMagnitude
    case .humidity: return 0...100
    case .intrusion: return 0...1
    case .freq: return 0...1e12
    }
  }

  /// The file that holds the measurement, by preference (power meters differ, §1.4).
  var valueItems: [String?] {
    switch self {
    case .pwm: return [nil]
    case .intrusion: return ["alarm"]
    case .power: return ["input", "average"]
    default: return ["input"]
    }
  }

  /// Threshold items read once at discovery and reported as reading context.
  static let thresholdItems = [
    "min", "max", "lcrit", "crit", "emergency", "max_hyst", "min_hyst", "crit_hyst", "emergency_hyst", "cap",
    "rated_min", "rated_max", "average_min", "average_max", "target", "div",
  ]

  /// Whether a limit file's raw value means "no limit" rather than a limit (docs/hwmon.md §1.3), told
  /// by the file and the chip, since 0 is a real limit on most chips (drivetemp disks report
  /// `temp1_min` = 0, i.e. 0 °C):
  ///
  /// | chips | files | sentinel |
  /// |---|---|---|
  /// | any | temp limits | ≤ −273150 (absolute zero: nvme, amdgpu `crit_hyst`), 65261850 (0xFFFF K in m°C: nvme) |
  /// | Super-I/O (nct67xx, it87xx, w83xxx, f71xxx/f81xxx, sch56xx, …) | any limit | 0 (an unprogrammed register) |
  /// | ina2xx/ina3xx | `crit`, `lcrit` | 0 (alert limit not set) |
  func isSentinel(_ raw: Int64, item: String, chip: String) -> Bool {
    if self == .temp, raw <= -273_150 || raw == 65_261_850 { return true }
    guard raw == 0 else { return false }
    if Self.superIOPrefixes.contains(where: chip.hasPrefix) { return true }
    if chip.hasPrefix("ina2") || chip.hasPrefix("ina3") { return item == "crit" || item == "lcrit" }
    return false
  }

  /// `name` prefixes of Super-I/O drivers, whose limit registers read 0 until the BIOS sets them.
  static let superIOPrefixes = [
    "nct6", "it87", "it86", "w83", "f71", "f81", "f8000", "sch56", "smsc47", "pc87", "vt1211", "dme1737", "sch311",
  ]
}
