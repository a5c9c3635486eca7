import SynseSupport

/// Sensor health as Prometheus gauges, rendered at scrape time from ``HealthMonitor/sensors``
/// (docs/health.md "Metrics"):
///
/// - `synse_device_health`: one sample per evaluated sensor reading, 0 ok, 1 warning,
///   2 critical, 3 fatal, -1 unknown (``HealthState/metricValue``);
/// - `synse_device_threshold`: one sample per threshold in force, labelled
///   `threshold="UpperCritical"` (the Redfish key), its value converted to the reading's base
///   unit as the `synse_device_<type>_<unit>` reading series are (kWh → joules, ms → seconds),
///   like node_exporter's `node_hwmon_temp_max_celsius`/`_crit_celsius` series.
///
/// Labels are the readings series' (`id`, `info`, `device_type`, `plugin`, `tags`) plus `type`,
/// the reading type. A device with several evaluated readings of one type gets the readings
/// series' `context_<key>` (or `index`) labels by the same rules (``ReadingSeries/distinguish(_:)``),
/// and each threshold sample carries its sensor's health labels, so the two join one to one.
/// Threshold samples also get `unit` (the base-unit suffix, e.g. `celsius`) when the device
/// declares one unit for the reading type.
enum HealthMetrics {
  static let health = (
    name: "synse_device_health",
    help: "Health of each evaluated sensor reading: 0 ok, 1 warning, 2 critical, 3 fatal, -1 unknown."
  )
  static let threshold = (
    name: "synse_device_threshold",
    help: "Thresholds in force per sensor reading and kind (Redfish LowerCaution ... UpperFatal), in the reading's base unit."
  )
  static let thresholdLabel = "threshold"

  /// The exposition text of `sensors`; both families' HELP and TYPE lines even when empty, so
  /// `absent()` queries see that health evaluation is on.
  static func render(_ sensors: [SensorStatus], devices: DeviceCache) -> String {
    let records = sensors.map { sensor in
      devices.device(sensor.device).flatMap { $0.plugin == sensor.plugin && $0.id == sensor.device ? $0 : nil }
    }
    var series = zip(sensors, records).map { sensor, device in
      let tags = (device?.tags ?? []).filter { !$0.hasPrefix("system/") }.sorted().joined(separator: ",")
      return ReadingSeries(
        name: health.name, help: health.help,
        labels: [("id", sensor.device), ("info", device?.info ?? ""), ("device_type", device?.type ?? ""),
                 ("plugin", sensor.plugin), ("tags", tags), ("type", sensor.type)],
        context: sensor.context, value: Double(sensor.health.metricValue))
    }
    ReadingSeries.distinguish(&series)
    var limits: [ReadingSeries] = []
    for ((sensor, device), sample) in zip(zip(sensors, records), series) {
      let unit = baseUnit(of: sensor.type, on: device)
      for kind in ThresholdKind.allCases {
        guard let limit = sensor.thresholds[kind] else { continue }
        var labels = sample.labels + [(thresholdLabel, kind.redfishKey)]
        if let unit { labels.append(("unit", unit.suffix)) }
        limits.append(ReadingSeries(
          name: threshold.name, help: threshold.help, labels: labels, context: sensor.context,
          value: limit.reading * (unit?.factor ?? 1)))
      }
    }
    return ReadingSeries.exposition(series + limits, empty: [(health.name, health.help), (threshold.name, threshold.help)])
  }

  /// The base unit of the device's `type` outputs, when they all name one known unit (a device
  /// with kJ and kWh outputs of one type leaves its thresholds unconverted: which one a
  /// threshold is written in cannot be told).
  static func baseUnit(of type: String, on device: DeviceRecord?) -> (suffix: String, factor: Double)? {
    let names = Set((device?.outputs ?? []).filter { $0.type == type }.compactMap { $0.unit?.name.lowercased() })
    guard names.count == 1, let name = names.first else { return nil }
    return ReadingMetrics.units[name]
  }
}
