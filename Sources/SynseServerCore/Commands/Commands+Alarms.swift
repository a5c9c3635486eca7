import SynseSupport

extension Commands {
  /// The active alarms (docs/api-v3.md "Alarms"): every sensor reading whose health is not
  /// `ok`, most severe first. Filters: `severity` (any of), `plugin`, tag groups (a device
  /// must carry every tag of one group; the default namespace applies as in `/v3/scan`).
  ///
  /// - Throws: `invalidUsage` (400) for an unknown severity or plugin ID.
  public func alarms(severities: [String], plugin: String?, namespace: String, tagGroups: [[String]]) throws(SynseError) -> JSONValue {
    var wanted: Set<HealthState> = []
    for name in severities {
      guard let severity = HealthState(rawValue: name), severity != .ok else {
        throw .invalidUsage("invalid parameter: severity must be one of warning, critical, fatal, unknown (got '\(name)')")
      }
      wanted.insert(severity)
    }
    if let plugin, !registry.plugins.contains(where: { $0.id == plugin }) {
      throw .invalidUsage("invalid parameter: specified plugin ID does not correspond with known plugin")
    }
    let groups = Self.applyNamespace(namespace, to: tagGroups).map(Set.init)
    let alarms = live.monitor.alarms.filter { alarm in
      (wanted.isEmpty || wanted.contains(alarm.severity)) && (plugin.map { $0 == alarm.plugin } ?? true)
        && (groups.isEmpty || groups.contains { $0.isSubset(of: alarm.tags) })
    }
    return .array(alarms.map(\.json))
  }
}
