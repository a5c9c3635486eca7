import SynseSupport

/// One chassis: its `Sensors`, legacy `Thermal` and `Power` members not already in `Sensors`
/// (``LegacyMatch``), and its indicator LED.
struct ChassisWalk {
  let fetcher: DiscoveryFetcher

  func points(of chassis: ChassisResource, at link: String) async -> [RedfishPoint] {
    let path = chassis.odataID ?? link
    let factory = PointFactory.chassis(chassis.Id ?? String(path.split(separator: "/").last ?? ""))
    var sensorPoints: [RedfishPoint] = []
    var sensorFacts: [LegacyMatch.Facts] = []
    if let sensors = chassis.Sensors?.id {
      for (link, sensor) in await fetcher.collection(sensors, of: SensorResource.self) {
        let point = sensorPoint(sensor, at: link, factory: factory)
        sensorPoints.append(point)
        sensorFacts.append(
          .init(
            id: point.key, deviceType: point.deviceType, name: point.name, physicalContext: sensor.PhysicalContext,
            relatedItems: (sensor.RelatedItem ?? []).compactMap(\.id)))
      }
    }
    var legacy: [(point: RedfishPoint, facts: LegacyMatch.Facts)] = []
    if let thermal = chassis.Thermal?.id, let resource = await fetcher.fetch(thermal, as: ThermalResource.self) {
      legacy += members(resource.Temperatures, array: "Temperatures", of: thermal, factory: factory) { _ in ("Cel", nil, \.ReadingCelsius) }
      legacy += members(resource.Fans, array: "Fans", of: thermal, factory: factory) { fan in
        (fan.ReadingUnits ?? (fan.ReadingRPM != nil ? "RPM" : nil), ReadingKind.fan, fan.Reading != nil ? \.Reading : \.ReadingRPM)
      }
    }
    if let power = chassis.Power?.id, let resource = await fetcher.fetch(power, as: PowerResource.self) {
      legacy += members(resource.Voltages, array: "Voltages", of: power, factory: factory) { _ in ("V", nil, \.ReadingVolts) }
      legacy += powerSupplies(resource.PowerSupplies ?? [], of: power, factory: factory)
      legacy += powerControl(resource.PowerControl ?? [], of: power, factory: factory)
    }
    var duplicates = LegacyMatch(sensors: sensorFacts, legacy: legacy.map(\.facts)).duplicates()
    if let memory = fetcher.memory {
      memory.rememberTwins(duplicates.map { legacy[$0].point.key })
      // A Sensor that failed this walk keeps its twin hidden: the sensor's device goes without
      // a reading (stale, then unknown) instead of being replaced by another device ID.
      if let sensors = chassis.Sensors?.id, fetcher.isIncomplete(sensors) {
        let twins = memory.legacyTwins
        duplicates.formUnion(legacy.indices.filter { twins.contains(legacy[$0].point.key) })
      }
    }
    var points = sensorPoints
    points += legacy.enumerated().filter { !duplicates.contains($0.offset) }.map(\.element.point)
    if let led = factory.led(
      key: path, name: chassis.Name ?? path, status: chassis.Status, indicatorLED: chassis.IndicatorLED,
      locationIndicator: chassis.LocationIndicatorActive)
    {
      points.append(led)
    }
    return points
  }

  /// A `Sensor` as a point keyed by its `@odata.id` (else the link it was reached by); its
  /// thresholds are dropped, with a problem, when they are not valid.
  private func sensorPoint(_ sensor: SensorResource, at link: String, factory: PointFactory) -> RedfishPoint {
    let id = sensor.odataID ?? link
    let percent = sensor.ReadingType == "Percent" || (sensor.ReadingType == nil && sensor.ReadingUnits == "%")
    let type = sensor.SpeedRPM != nil && percent ? ReadingKind.fan : sensor.ReadingType
    return factory.reading(
      key: id, path: id, kind: .of(unit: sensor.ReadingUnits, readingType: type), name: sensor.Name ?? sensor.Id ?? id,
      value: sensor.Reading, status: sensor.Status, physicalContext: sensor.PhysicalContext,
      thresholds: fetcher.thresholds(of: id) { ignored throws(ThresholdMapping.Refused) in try ThresholdMapping.sensor(sensor.Thresholds, ignored: ignored) })
  }

  /// Points of `Temperatures`, `Fans` or `Voltages`; `reading` gives a member's unit, reading
  /// type and reading property.
  private func members(
    _ list: [LegacyReading]?, array: String, of path: String, factory: PointFactory,
    reading: (LegacyReading) -> (unit: String?, type: String?, value: KeyPath<LegacyReading, Double?>)
  ) -> [(point: RedfishPoint, facts: LegacyMatch.Facts)] {
    (list ?? []).enumerated().map { index, member in
      let key = "\(path)#/\(array)/\(member.MemberId ?? String(index))"
      let (unit, type, value) = reading(member)
      let name = member.Name ?? member.FanName ?? key
      let point = factory.reading(
        key: key, path: path, kind: .of(unit: unit, readingType: type), name: name, value: member[keyPath: value],
        status: member.Status, physicalContext: member.PhysicalContext,
        thresholds: fetcher.thresholds(of: key) { ignored throws(ThresholdMapping.Refused) in try ThresholdMapping.legacy(member, ignored: ignored) })
      return (point, facts(point, member.PhysicalContext, member.RelatedItem, member.DataSourceUri))
    }
  }

  /// One point per reading property a `PowerSupplies` member has (`…/PowerSupplies/0/LineInputVoltage`);
  /// `PhysicalContext` is `PowerSupply`, which the legacy schema leaves implicit.
  private func powerSupplies(_ list: [LegacyPowerSupply], of path: String, factory: PointFactory) -> [(point: RedfishPoint, facts: LegacyMatch.Facts)] {
    list.enumerated().flatMap { index, supply in
      supply.present.map { property, unit, value in
        let key = "\(path)#/PowerSupplies/\(supply.MemberId ?? String(index))/\(property)"
        let point = factory.reading(
          key: key, path: path, kind: .of(unit: unit, readingType: nil), name: "\(supply.Name ?? "Power Supply \(index)") \(property)",
          value: value, status: supply.Status, physicalContext: "PowerSupply", thresholds: nil)
        return (point, facts(point, "PowerSupply", supply.RelatedItem, nil))
      }
    }
  }

  /// `PowerControl` members: `PowerConsumedWatts`.
  private func powerControl(_ list: [LegacyPowerControl], of path: String, factory: PointFactory) -> [(point: RedfishPoint, facts: LegacyMatch.Facts)] {
    list.enumerated().map { index, control in
      let key = "\(path)#/PowerControl/\(control.MemberId ?? String(index))"
      let point = factory.reading(
        key: key, path: path, kind: .of(unit: "W", readingType: nil), name: control.Name ?? key,
        value: control.PowerConsumedWatts, status: control.Status, physicalContext: control.PhysicalContext, thresholds: nil)
      return (point, facts(point, control.PhysicalContext, control.RelatedItem, nil))
    }
  }

  private func facts(_ point: RedfishPoint, _ place: String?, _ related: [RedfishRef]?, _ source: String?) -> LegacyMatch.Facts {
    .init(
      id: point.key, deviceType: point.deviceType, name: point.name, physicalContext: place,
      relatedItems: (related ?? []).compactMap(\.id), dataSourceUri: source)
  }
}
