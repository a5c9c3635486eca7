import Foundation

/// Device readings as Prometheus gauges: `synse_device_<reading type>_<base unit>` (e.g.
/// `synse_device_temperature_celsius`, `synse_device_power_watts`; rpm readings are named
/// `synse_device_fan_rpm`), values converted to the base unit (kWh → joules, ms → seconds),
/// labelled `id`, `info`, `device_type`, `plugin` and `tags` (the device's own tags,
/// comma-joined, `system/` ones left out). Readings without a numeric value are not exported.
/// `metrics.readings_naming: node_exporter` names hwmon readings as node_exporter does.
///
/// Every numeric reading becomes a sample, and no two samples share a name and label set: when
/// one device returns several readings that map to one metric (a power meter's voltage per
/// leg, a fan's measured and target rpm, kJ and J energy), they are told apart by
/// ``ReadingSeries`` labels taken from their context or their position.
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

  /// The exposition text of every plugin's answer (`plugin` is its ID), one family per metric
  /// name in first-seen order.
  /// With `naming` `.nodeExporter`, hwmon readings take ``NodeExporterNames``' names instead.
  static func render(
    _ answers: [(plugin: String, readings: [ReadingRecord])], devices: DeviceCache, naming: MetricsOptions.ReadingsNaming = .synse
  ) -> String {
    var series: [ReadingSeries] = []
    var seen: Set<String> = []
    for (plugin, readings) in answers {
      for reading in readings {
        if naming == .nodeExporter, let named = NodeExporterNames.series(reading, seen: &seen) {
          series += named
          continue
        }
        guard let raw = number(reading.value) else { continue }
        let unit = reading.unit.flatMap { units[$0.name.lowercased()] }
        // Tags only from this plugin's device: the cache keeps one device per ID (or alias),
        // which may be another plugin's device of the same ID.
        let device = devices.device(reading.device).flatMap { $0.plugin == plugin && $0.id == reading.device ? $0 : nil }
        let tags = (device?.tags ?? []).filter { !$0.hasPrefix("system/") }.sorted().joined(separator: ",")
        let unitText = unit?.suffix.replacingOccurrences(of: "_", with: " ") ?? reading.unit?.name ?? ""
        series.append(ReadingSeries(
          name: metricName(type: reading.type, unit: reading.unit?.name),
          help: "Current \(reading.type) reading of each device\(unitText.isEmpty ? "" : ", in \(unitText)").",
          labels: [("id", reading.device), ("info", reading.deviceInfo), ("device_type", reading.deviceType), ("plugin", plugin), ("tags", tags)],
          context: reading.context, value: raw * (unit?.factor ?? 1)))
      }
    }
    ReadingSeries.distinguish(&series)
    return ReadingSeries.exposition(series)
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

  /// A label value as the text format wants it: backslash, double quote and newline escaped.
  static func escape(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
  }

  /// HELP text escapes backslash and newline only (a plugin's reading type or unit could
  /// otherwise end the line and break the whole exposition).
  static func escapeHelp(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
  }
}
