/// hwmon readings under the names Prometheus node_exporter's hwmon collector gives them
/// (collector/hwmon_linux.go; checked against node_exporter 1.5.0 on the same sysfs tree), so
/// dashboards and alerts written for node_exporter work on Synse data
/// (`metrics.readings_naming: node_exporter`, README "node_exporter names").
///
/// A reading is an hwmon reading when its context has `hwmon_chip` and `channel` (the hwmon
/// plugin's device context, docs/hwmon.md §5). Per channel (`sensor="temp1"`):
/// - the value: `node_hwmon_temp_celsius`, `_in_volts`, `_fan_rpm`, `_curr_amps`, `_power_watt`
///   (`_power_average_watt` from an `average` file), `_energy_joule_total` (a counter),
///   `_humidity` (raw ÷ 10⁶, node_exporter's arithmetic), `_intrusion_alarm`, `_pwm` (0–255)
///   and `_pwm_enable`;
/// - the limits the plugin read at discovery as sibling series (`node_hwmon_temp_crit_celsius`,
///   `node_hwmon_fan_min_rpm`, …; "no limit" sentinels are not limits and are left out);
/// - the chip's alarm and fault flags (`node_hwmon_in_alarm`, and node_exporter's unit-suffixed,
///   unit-scaled `node_hwmon_temp_crit_alarm_celsius`);
/// - `node_hwmon_sensor_label{chip, sensor, label}` and `node_hwmon_chip_names{chip, chip_name}`.
///
/// `freq` channels are left out, as node_exporter 1.5.0 leaves them out; so are the files the
/// plugin does not read (beep, pwm curve points, fan pulses, `update_interval`).
enum NodeExporterNames {
  /// Suffix and factor from the plugin's SI value to node_exporter's, per sensor family.
  private static let families: [String: (suffix: String, factor: Double, help: String)] = [
    "temp": ("_celsius", 1, "Hardware monitor for temperature"),
    "in": ("_volts", 1, "Hardware monitor for voltage"),
    "curr": ("_amps", 1, "Hardware monitor for current"),
    "power": ("_watt", 1, "Hardware monitor for power usage in watts"),
    "energy": ("_joule_total", 1, "Hardware monitor for joules used so far"),
    "humidity": ("", 1e-3, "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage)"),
    "fan": ("_rpm", 1, "Hardware monitor for fan revolutions per minute"),
    "intrusion": ("", 1, "Hardware sensor alarm status"),
    "pwm": ("", 1, "Hardware monitor pwm element"),
  ]
  /// Limit items of the plugin's device context (HwmonFamily.thresholdItems), SI-scaled.
  private static let limits = [
    "min", "max", "lcrit", "crit", "emergency", "max_hyst", "min_hyst", "crit_hyst", "emergency_hyst", "cap",
    "rated_min", "rated_max", "average_min", "average_max", "target", "div",
  ]
  /// Raw sysfs units per unit of node_exporter's value, for `*_alarm` flags, which it scales
  /// like the sensor's value (a raised `temp1_crit_alarm` reads 0.001).
  private static let rawPerUnit: [String: Double] = ["temp": 1e3, "in": 1e3, "curr": 1e3, "power": 1e6, "energy": 1e6, "humidity": 1e6]

  /// The series of `reading` under node_exporter's names; nil when it is not an hwmon reading
  /// (or of a family node_exporter does not export), which keeps its `synse_device_*` name.
  /// `seen` keeps the channel- and chip-level series to one per scrape.
  static func series(_ reading: ReadingRecord, seen: inout Set<String>) -> [ReadingSeries]? {
    let context = Dictionary(reading.context, uniquingKeysWith: { _, last in last })
    guard let chip = context["hwmon_chip"], let sensor = context["channel"] else { return nil }
    let family = String(sensor.prefix { $0.isLetter })
    guard let unit = families[family] else { return nil }
    let labels = [("chip", chip), ("sensor", sensor)]
    var out: [ReadingSeries] = []
    func add(_ name: String, _ help: String, _ value: Double, _ labels: [(String, String)] = labels, counter: Bool = false) {
      var sample = ReadingSeries(name: name, help: help, labels: labels, context: reading.context, value: value)
      if counter { sample.type = "counter" }
      out.append(sample)
    }
    let prefix = "node_hwmon_" + family

    if seen.insert("chip\u{0}\(chip)").inserted, let chipName = context["hwmon_chip_name"] {
      add("node_hwmon_chip_names", "Annotation metric for human-readable chip names", 1, [("chip", chip), ("chip_name", chipName)])
    }
    if seen.insert("sensor\u{0}\(chip)\u{0}\(sensor)").inserted {
      if let label = context["label"] {
        add("node_hwmon_sensor_label", "Label for given chip and sensor", 1, labels + [("label", label)])
      }
      for item in limits {
        guard let text = context[item], let value = Double(text) else { continue }
        if family == "fan" && item == "div" {
          add("\(prefix)_div", "Hardware monitor fan element div", value)
        } else if family != "fan" || ["min", "max", "target"].contains(item) {
          add("\(prefix)_\(item)\(unit.suffix)", "\(unit.help) (\(item))", value * unit.factor)
        }
      }
    }
    for (item, text) in context.sorted(by: { $0.key < $1.key }) where item == "fault" || item == "alarm" || item.hasSuffix("_alarm") {
      guard let raw = Double(text), family != "intrusion" else { continue }
      if item == "fault" || item == "alarm" || rawPerUnit[family] == nil {
        add("\(prefix)_\(item)", "Hardware sensor \(item) status (\(family))", raw)
      } else {
        add("\(prefix)_\(item)\(unit.suffix)", "\(unit.help) (\(item))", raw / rawPerUnit[family]!, counter: family == "energy")
      }
    }
    switch family {
    case "intrusion":
      if let raw = context["raw"].flatMap(Double.init) { add("\(prefix)_alarm", "\(unit.help) (intrusion)", raw) }
    case "pwm":
      if let mode = context["pwm_enable"].flatMap(Double.init), seen.insert("enable\u{0}\(chip)\u{0}\(sensor)").inserted {
        add("\(prefix)_enable", "Hardware monitor pwm element enable", mode)
      }
      if let raw = context["raw"].flatMap(Double.init) { add(prefix, "Hardware monitor pwm element ", raw) }
    default:
      if let value = ReadingMetrics.number(reading.value) {
        // The file the value came from: `power1_average` is node_exporter's `power_average`.
        let element = context["value_file"].map { $0.dropFirst(sensor.count).drop { $0 == "_" } } ?? ""
        let name = prefix + (element.isEmpty || element == "input" ? "" : "_" + element) + unit.suffix
        add(name, "\(unit.help) (\(element.isEmpty ? "input" : element))", value * unit.factor, counter: family == "energy")
      }
    }
    // A flag or limit seen on an earlier reading of the channel (pwm: state, then duty cycle).
    return out.filter { seen.insert("series\u{0}\($0.name)\u{0}\($0.labels.map { "\($0.0)=\($0.1)" }.joined(separator: "\u{0}"))").inserted }
  }
}
