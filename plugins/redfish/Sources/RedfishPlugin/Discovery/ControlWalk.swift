import SynseSupport

/// Systems (power state with `#ComputerSystem.Reset`, LED) and rack PDUs (circuit readings,
/// outlet power with `#Outlet.PowerControl`).
struct ControlWalk {
  let fetcher: DiscoveryFetcher

  /// `ResetType` values when the service lists none (ComputerSystem v1_x `ResetType` enum:
  /// DSP0266 says a parameter without `@Redfish.AllowableValues` or ActionInfo takes its enum).
  static let resetTypes = [
    "On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn", "PushPowerButton",
    "PowerCycle", "Suspend", "Pause", "Resume",
  ]
  /// `PowerState` values of `#Outlet.PowerControl` (Outlet v1_x `PowerState` enum).
  static let outletPowerStates = ["On", "Off", "PowerCycle"]

  /// A system's `PowerState` point (`<system>#/PowerState`, device type `power-state`, value as
  /// Redfish says: `On`, `Off`, `PoweringOn`, …) when it has the reset action, and its LED.
  func points(of system: SystemResource, at link: String) async -> [RedfishPoint] {
    let path = system.odataID ?? link
    let factory = PointFactory(place: [("system", system.Id ?? String(path.split(separator: "/").last ?? ""))])
    var points: [RedfishPoint] = []
    if let reset = system.Actions?.reset, let target = reset.target {
      let allowable = await allowable(reset, parameter: "ResetType", of: path) ?? Self.resetTypes
      points.append(
        factory.control(
          key: path + "#/PowerState", path: path, deviceType: "power-state", name: system.Name ?? path,
          value: system.PowerState, status: system.Status, control: .reset(target: target, allowable: allowable)))
    }
    if let led = factory.led(
      key: path, name: system.Name ?? path, status: system.Status, indicatorLED: system.IndicatorLED,
      locationIndicator: system.LocationIndicatorActive)
    {
      points.append(led)
    }
    return points
  }

  /// Every `Mains`, `Branches` and `Outlets` member of a rack PDU: a point per sensor excerpt
  /// (`<circuit>#/CurrentAmps`, `<circuit>#/PolyPhaseVoltage/Line1ToNeutral`) and, for outlets
  /// with `#Outlet.PowerControl`, a `PowerState` point (device type `outlet`).
  ///
  /// An excerpt whose `DataSourceUri` names a Sensor in `known` (already a point) is that
  /// Sensor, so it is skipped; excerpts with the same `DataSourceUri` that names no known
  /// Sensor (a branch's `CurrentAmps` and `PolyPhaseCurrentAmps/Line1`) are one point, the first.
  func points(of pdu: PowerDistributionResource, at link: String, known: Set<String>) async -> [RedfishPoint] {
    let path = pdu.odataID ?? link
    let factory = PointFactory(place: [("pdu", pdu.Id ?? String(path.split(separator: "/").last ?? ""))])
    var points: [RedfishPoint] = []
    var sources = known
    for collection in [pdu.Mains, pdu.Branches, pdu.Outlets].compactMap({ $0?.id }) {
      for (link, circuit) in await fetcher.collection(collection, of: CircuitResource.self) {
        let id = circuit.odataID ?? link
        let name = circuit.Name ?? circuit.Id ?? id
        for (pointer, unit, excerpt) in circuit.readings {
          if let source = excerpt.DataSourceUri, !sources.insert(source).inserted { continue }
          let key = id + "#" + pointer
          let thresholds = fetcher.thresholds(of: key) { ignored throws(ThresholdMapping.Refused) in
            try ThresholdMapping.sensor(excerpt.Thresholds, ignored: ignored)
          }
          points.append(
            factory.reading(
              key: key, path: id, kind: .of(unit: unit, readingType: nil), name: "\(name) \(pointer.dropFirst())",
              value: excerpt.Reading, status: circuit.Status, physicalContext: nil, thresholds: thresholds))
        }
        if let action = circuit.powerControl, let target = action.target {
          let allowable = await allowable(action, parameter: "PowerState", of: id) ?? Self.outletPowerStates
          points.append(
            factory.control(
              key: id + "#/PowerState", path: id, deviceType: "outlet", name: name, value: circuit.PowerState,
              status: circuit.Status, control: .outletPower(target: target, allowable: allowable)))
        }
      }
    }
    return points
  }

  /// The action's allowable values for `parameter`: inline, else from its ActionInfo (a
  /// problem, and nil, when that cannot be read), else nil.
  private func allowable(_ action: RedfishAction, parameter: String, of path: String) async -> [String]? {
    if let inline = action.allowable[parameter] { return inline }
    guard let info = action.actionInfo else { return nil }
    guard let resource = await fetcher.fetch(info, as: ActionInfoResource.self) else { return nil }
    return resource.Parameters?.first { $0.Name == parameter }?.AllowableValues
  }
}
