import Foundation
import ProcessMetrics

/// Device readings as Prometheus gauges: `synse_device_<reading type>_<base unit>` (e.g.
/// `synse_device_temperature_celsius`, `synse_device_power_watts`; rpm readings are named
/// `synse_device_fan_rpm`), values converted to the base unit (kWh → joules, ms → seconds),
/// one series per device and reading type, labelled `id`, `info`, `device_type`, `plugin`
/// and `tags` (the device's own tags, comma-joined, `system/` ones left out), so the series
/// count is bounded by the devices. Readings without a numeric value are not exported.
enum ReadingMetrics {
  /// Unit name → Prometheus base-unit suffix and the factor that converts to it.
  static let units: [String: (suffix: String, factor: Double)] = [
    "celsius": ("celsius", 1), "fahrenheit": ("fahrenheit", 1), "kelvin": ("kelvin", 1), "volt": ("volts", 1),
    "ampere": ("amperes", 1), "watt": ("watts", 1), "joule": ("joules", 1), "kilojoule": ("joules", 1000),
    "kilowatt-hour": ("joules", 3_600_000), "hertz": ("hertz", 1), "revolutions per minute": ("rpm", 1),
    "percent": ("percent", 1), "percent humidity": ("percent", 1), "pascal": ("pascals", 1),
    "pounds per square inch": ("pascals", 6894.757), "seconds": ("seconds", 1), "milliseconds": ("seconds", 1e-3),
    "microseconds": ("seconds", 1e-6), "nanoseconds": ("seconds", 1e-9), "minutes": ("seconds", 60),
    "meters per second": ("meters_per_second", 1), "millimeters per second": ("meters_per_second", 1e-3),
    "ohm": ("ohms", 1), "volt second": ("volt_seconds", 1), "weber": ("webers", 1),
  ]

  static func render(_ answers: [(plugin: String, readings: [ReadingRecord])], devices: DeviceCache) -> String {
    var families: [String: [String]] = [:]
    var order: [String] = []
    var seen: Set<String> = []
    for (plugin, readings) in answers {
      for reading in readings {
        guard let raw = number(reading.value) else { continue }
        let unit = reading.unit.flatMap { units[$0.name.lowercased()] }
        let value = raw * (unit?.factor ?? 1)
        let name = metricName(type: reading.type, unit: reading.unit?.name)
        let tags = (devices.device(reading.device)?.tags ?? []).filter { !$0.hasPrefix("system/") }.sorted().joined(separator: ",")
        let labels = [("id", reading.device), ("info", reading.deviceInfo), ("device_type", reading.deviceType), ("plugin", plugin), ("tags", tags)]
          .map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
        guard seen.insert(name + labels).inserted else { continue }
        if families[name] == nil {
          order.append(name)
          let unitText = unit?.suffix.replacingOccurrences(of: "_", with: " ") ?? reading.unit?.name ?? ""
          families[name] = [
            "# HELP \(name) Current \(reading.type) reading of each device\(unitText.isEmpty ? "" : ", in \(unitText)").",
            "# TYPE \(name) gauge",
          ]
        }
        families[name]!.append("\(name){\(labels)} \(ProcessMetrics.format(value))")
      }
    }
    return order.map { families[$0]!.joined(separator: "\n") + "\n" }.joined()
  }

  static func metricName(type: String, unit: String?) -> String {
    let measure = unit?.lowercased() == "revolutions per minute" ? "fan" : type
    var name = "synse_device_" + sanitize(measure)
    if let unit, !unit.isEmpty { name += "_" + (units[unit.lowercased()]?.suffix ?? sanitize(unit)) }
    return name
  }

  static func sanitize(_ text: String) -> String {
    var result = ""
    for character in text.lowercased() {
      if character.isASCII && (character.isLetter || character.isNumber) {
        result.append(character)
      } else if !result.hasSuffix("_") {
        result.append("_")
      }
    }
    while result.hasSuffix("_") { result.removeLast() }
    return result.isEmpty ? "unknown" : result
  }

  static func number(_ value: JSONValue) -> Double? {
    switch value {
    case .int(let number): return Double(number)
    case .uint(let number): return Double(number)
    case .double(let number) where number.isFinite: return number
    case .bool(let flag): return flag ? 1 : 0
    default: return nil
    }
  }

  static func escape(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
  }
}
