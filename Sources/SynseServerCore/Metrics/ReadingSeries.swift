import ProcessMetrics
import SynseSupport

/// One exported reading: its metric name, its family's HELP text, its labels in output order
/// and its value in the base unit.
struct ReadingSeries {
  let name: String
  let help: String
  var labels: [(String, String)]
  let context: [(String, String)]
  let value: Double
  /// The family's TYPE: `gauge`, or `counter` (node_exporter's energy totals).
  var type = "gauge"

  /// Label added when context does not tell a group's readings apart: the reading's 0-based
  /// position among the readings of its device and metric, in the order the plugin sent them.
  static let indexLabel = "index"
  /// Prefix of labels made from context keys, so that a key never collides with the base
  /// labels (`id`, `plugin`, …) or the reserved `__` names.
  static let contextPrefix = "context_"
  /// Context keys that say something about a reading's state, not which reading it is
  /// (`synse.alarm`, the hardware's alarm flag, comes and goes): never a label, or a series
  /// would change identity each time the flag does.
  static let stateKeys: Set<String> = [ReadingAlarm.key]

  /// Gives every series a distinct (name, labels) pair without dropping any. Series that share
  /// a name and base labels (one device sending several readings of one metric) form a group;
  /// a group of more than one gets a `context_<key>` label for each context key (not one of
  /// ``stateKeys``) whose value differs within the group (a missing key counts as the empty
  /// value, which Prometheus reads as an absent label, so it is left out), and if that still
  /// leaves two alike, an `index` label on every member. Groups of one keep their base labels only, so a device
  /// with one reading per metric has the same series as before.
  static func distinguish(_ series: inout [ReadingSeries]) {
    var groups: [String: [Int]] = [:]
    for (position, sample) in series.enumerated() {
      groups[key(sample.name, sample.labels), default: []].append(position)
    }
    for members in groups.values where members.count > 1 {
      let contexts = members.map { member in
        Dictionary(series[member].context.filter { !stateKeys.contains($0.0) }, uniquingKeysWith: { _, last in last })
      }
      let keys = Set(contexts.flatMap(\.keys)).sorted().filter { key in Set(contexts.map { $0[key] ?? "" }).count > 1 }
      let names = labelNames(for: keys)
      for (member, context) in zip(members, contexts) {
        for (key, name) in zip(keys, names) {
          if let value = context[key], !value.isEmpty { series[member].labels.append((name, value)) }
        }
      }
      let distinct = Set(members.map { key(series[$0].name, series[$0].labels) }).count == members.count
      if !distinct {
        for (position, member) in members.enumerated() { series[member].labels.append((indexLabel, String(position))) }
      }
    }
  }

  /// `context_<key>` with characters outside `[a-zA-Z0-9_]` made `_`; keys that come out the
  /// same get `_2`, `_3`, … in key order, so one sample never repeats a label name.
  static func labelNames(for keys: [String]) -> [String] {
    var used: Set<String> = []
    return keys.map { key in
      let base = contextPrefix + String(key.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
      var name = base
      var suffix = 2
      while !used.insert(name).inserted {
        name = "\(base)_\(suffix)"
        suffix += 1
      }
      return name
    }
  }

  /// The exposition text of `series` as gauges, one family per name in first-seen order (a
  /// family's HELP is its first sample's). `empty` families get their HELP and TYPE lines
  /// even without a sample.
  static func exposition(_ series: [ReadingSeries], empty: [(name: String, help: String)] = []) -> String {
    var families: [String: [String]] = [:]
    var order: [String] = []
    func open(_ name: String, _ help: String, _ type: String) {
      guard families[name] == nil else { return }
      order.append(name)
      families[name] = ["# HELP \(name) \(ReadingMetrics.escapeHelp(help))", "# TYPE \(name) \(type)"]
    }
    for family in empty { open(family.name, family.help, "gauge") }
    for sample in series {
      open(sample.name, sample.help, sample.type)
      let labels = sample.labels.map { "\($0.0)=\"\(ReadingMetrics.escape($0.1))\"" }.joined(separator: ",")
      families[sample.name]!.append("\(sample.name){\(labels)} \(ProcessMetrics.format(sample.value))")
    }
    return order.map { families[$0]!.joined(separator: "\n") + "\n" }.joined()
  }

  private static func key(_ name: String, _ labels: [(String, String)]) -> String {
    // Each field is length-prefixed, so no label value (NUL and all) can pass for two fields.
    ([name] + labels.sorted { $0.0 < $1.0 }.flatMap { [$0.0, $0.1] }).map { "\($0.utf8.count):\($0)" }.joined()
  }
}
