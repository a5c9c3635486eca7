/// Tells when a legacy `Thermal`/`Power` member is the same physical sensor as a `Sensor` of
/// the same chassis, so a service offering both yields each sensor once (from `Sensor`, which
/// carries `Thresholds` with activation and dwell).
///
/// Legacy members carry no link to their `Sensor` (only the newer `ThermalSubsystem`/
/// `PowerSubsystem` excerpts have `DataSourceUri`), so the rule uses what both sides share. A
/// member and a Sensor of the same chassis **and the same Synse device type** are one sensor when,
/// first rule that applies:
/// 1. the member's `DataSourceUri` is the Sensor's `@odata.id` (not in the legacy schemas, but
///    exact when a service adds it);
/// 2. their `Name`s are equal ignoring case, spaces and punctuation (OpenBMC's bmcweb builds
///    both from one sensor name);
/// 3. they share a `RelatedItem` naming a component (not a whole Chassis or ComputerSystem),
///    and no other member or Sensor of that type names it (DMTF mockup: legacy "CPU1 Temp" and
///    Sensor `CPU1Temp` both relate to `Processors/CPU1`);
/// 4. they have the same `PhysicalContext` and are the only member and the only Sensor of that
///    type with it (DMTF mockup: "Chassis Intake Temp" and Sensor `IntakeTemp`, both `Intake`).
/// Anything else is kept as its own point: two sensors wrongly merged would hide one, while a
/// sensor listed twice is only redundant.
struct LegacyMatch {
  /// What the rule reads of either side.
  struct Facts {
    var id: String
    var deviceType: String
    var name: String
    var physicalContext: String?
    var relatedItems: [String]
    var dataSourceUri: String? = nil
  }

  let sensors: [Facts]
  let legacy: [Facts]

  /// Indices into `legacy` of the members that duplicate a Sensor.
  func duplicates() -> Set<Int> {
    var result: Set<Int> = []
    let sensorIDs = Set(sensors.map(\.id))
    for (index, member) in legacy.enumerated() {
      let sameType = sensors.filter { $0.deviceType == member.deviceType }
      let peers = legacy.filter { $0.deviceType == member.deviceType }
      if let uri = member.dataSourceUri, sensorIDs.contains(uri) {
        result.insert(index)
      } else if sameType.contains(where: { Self.normalized($0.name) == Self.normalized(member.name) && !member.name.isEmpty }) {
        result.insert(index)
      } else if member.relatedItems.filter(Self.isComponent).contains(where: { item in
        sameType.count(where: { $0.relatedItems.contains(item) }) == 1 && peers.count(where: { $0.relatedItems.contains(item) }) == 1
      }) {
        result.insert(index)
      } else if let place = member.physicalContext,
        sameType.count(where: { $0.physicalContext == place }) == 1, peers.count(where: { $0.physicalContext == place }) == 1
      {
        result.insert(index)
      }
    }
    return result
  }

  static func normalized(_ name: String) -> String {
    String(name.lowercased().filter { $0.isLetter || $0.isNumber })
  }

  /// A link to a component, not to a whole chassis or system (those relate to everything in it).
  static func isComponent(_ link: String) -> Bool {
    let parts = link.split(separator: "/")
    let whole = parts.count == 4 && parts[0] == "redfish" && parts[1] == "v1" && (parts[2] == "Chassis" || parts[2] == "Systems")
    return !whole
  }
}
