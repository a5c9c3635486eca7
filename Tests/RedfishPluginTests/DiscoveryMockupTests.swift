import Foundation
import RedfishPlugin
import SynseSupport
import Testing

/// The three DMTF mockups walked through ``MockupFilesTransport`` (sushy-static's layout).
/// Expected numbers were counted over the fixture files with jq/python, not with the walk.
@Suite struct DiscoveryMockupTests {
  /// (deviceType, output) per `ReadingType`, and per UCUM unit when a Sensor has no
  /// `ReadingType`: issue 18's mapping, written out here independently of ``ReadingKind``.
  static let byReadingType: [String: (String, String)] = [
    "Temperature": ("temperature", "temperature"), "Voltage": ("voltage", "voltage"), "Power": ("power", "watt"),
    "Current": ("current", "electric-current"), "EnergykWh": ("energy", "kilowatt-hour"),
    "Frequency": ("frequency", "frequency"), "Humidity": ("humidity", "humidity"), "Percent": ("percentage", "percentage"),
  ]
  static let byUnit: [String: (String, String)] = ["Cel": ("temperature", "temperature")]
  static let thresholdKeys: [(String, ThresholdKind)] = [
    ("LowerCaution", .lowerCaution), ("UpperCaution", .upperCaution), ("LowerCritical", .lowerCritical),
    ("UpperCritical", .upperCritical), ("LowerFatal", .lowerFatal), ("UpperFatal", .upperFatal),
  ]

  /// Every Sensor of every chassis' `Sensors` collection is one point keyed by its `@odata.id`,
  /// with the type, output, value, health and thresholds its JSON file says.
  static func expectEverySensor(_ tree: URL, in inventory: RedfishInventory) throws {
    for id in try MockupTrees.sensorIDs(tree) {
      let json = try MockupTrees.json(tree, id)
      let found = inventory.points(id)
      #expect(found.count == 1, "\(id) appears \(found.count) times")
      guard let point = found.first else { continue }
      var expected = (json["ReadingType"] as? String).flatMap { Self.byReadingType[$0] }
        ?? (json["ReadingUnits"] as? String).flatMap { Self.byUnit[$0] }
      if json["SpeedRPM"] != nil { expected = ("fan", "percentage") }
      #expect(point.deviceType == expected?.0, "\(id) type")
      #expect(point.output == expected?.1, "\(id) output")
      if let reading = json["Reading"] as? Double {
        #expect(point.value == .number(reading), "\(id) value")
      } else {
        #expect(point.value == .absent, "\(id) has no Reading")
      }
      let status = json["Status"] as? [String: Any]
      #expect(point.context["health"] == status?["Health"] as? String, "\(id) health")
      #expect(point.context["state"] == status?["State"] as? String, "\(id) state")
      #expect(point.context["physical_context"] == json["PhysicalContext"] as? String, "\(id) physical context")
      let thresholds = json["Thresholds"] as? [String: Any] ?? [:]
      var declared = 0
      for (key, kind) in Self.thresholdKeys {
        let value = (thresholds[key] as? [String: Any])?["Reading"] as? Double
        if value != nil { declared += 1 }
        #expect(point.thresholds?[kind]?.reading == value, "\(id) \(key)")
      }
      if declared == 0 { #expect(point.thresholds == nil, "\(id) declares no standard threshold") }
    }
  }

  @Test func rackmount1EverySensorOnceLegacyDuplicatesOnce() async throws {
    let tree = MockupTrees.tree("public-rackmount1")
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(inventory.problems == [])
    #expect(inventory.serviceUUID == "92384634-2938-2342-8820-489239905423")
    try Self.expectEverySensor(tree, in: inventory)
    // Counted with jq over the files: 41 Sensors (Chassis/1U/Sensors Members); legacy Thermal
    // 3 Temperatures + 2 Fans, Power 2 Voltages + 2 reading properties of the 1 PowerSupply
    // (LastPowerOutputWatts, LineInputVoltage) + 1 PowerControl = 10, of which 2 are Sensors
    // too ("CPU1 Temp" = CPU1Temp via RelatedItem Processors/CPU1; "Chassis Intake Temp" =
    // IntakeTemp, the only Intake temperature on both sides) → 49 readings; chassis 1U
    // LocationIndicatorActive and the system's IndicatorLED → 2 led; 1 system power-state.
    #expect(inventory.points.count == 52)
    #expect(inventory.points.filter { $0.control == nil }.count == 49)
    #expect(inventory.point("/redfish/v1/Chassis/1U/Thermal#/Temperatures/0") == nil, "CPU1 Temp is Sensors/CPU1Temp")
    #expect(inventory.point("/redfish/v1/Chassis/1U/Thermal#/Temperatures/2") == nil, "Chassis Intake Temp is Sensors/IntakeTemp")
    let cpu2 = try #require(inventory.point("/redfish/v1/Chassis/1U/Thermal#/Temperatures/1"))
    #expect(cpu2.value == .absent && cpu2.context["state"] == "Disabled" && cpu2.deviceType == "temperature")
    #expect(cpu2.thresholds == Thresholds(upperCaution: Threshold(reading: 42), upperCritical: Threshold(reading: 45), upperFatal: Threshold(reading: 48)))
    let fan = try #require(inventory.point("/redfish/v1/Chassis/1U/Thermal#/Fans/0"))
    #expect(fan.deviceType == "fan" && fan.output == "rpm" && fan.value == .number(2100))
    #expect(fan.thresholds == Thresholds(lowerFatal: Threshold(reading: 0)))
    let vrm = try #require(inventory.point("/redfish/v1/Chassis/1U/Power#/Voltages/0"))
    #expect(vrm.output == "voltage" && vrm.value == .number(12))
    #expect(vrm.thresholds?.lowerFatal?.reading == 10 && vrm.thresholds?.upperCritical?.reading == 13)
    let psu = try #require(inventory.point("/redfish/v1/Chassis/1U/Power#/PowerSupplies/0/LineInputVoltage"))
    #expect(psu.output == "voltage" && psu.value == .number(120) && psu.context["health"] == "Warning")
    #expect(inventory.point("/redfish/v1/Chassis/1U/Power#/PowerControl/0")?.value == .number(344))
    // CPU1Temp: Activation, DwellTime and the largest |HysteresisReading| / HysteresisDuration.
    let cpu1 = try #require(inventory.point("/redfish/v1/Chassis/1U/Sensors/CPU1Temp"))
    #expect(
      cpu1.thresholds
        == Thresholds(
          upperCaution: Threshold(reading: 42, activation: .increasing, dwellTime: .seconds(300)),
          upperCritical: Threshold(reading: 45, activation: .increasing, dwellTime: .seconds(60)),
          upperFatal: Threshold(reading: 50, activation: .increasing, dwellTime: .seconds(30)),
          hysteresisReading: 2, hysteresisDuration: .seconds(60)))
    #expect(cpu1.tags == ["redfish/chassis:1U", "redfish/physical-context:CPU", "redfish/type:temperature"])
    #expect(cpu1.context["chassis"] == "1U" && cpu1.context["health"] == "Warning")
    #expect(inventory.point("/redfish/v1/Chassis/1U/Sensors/CPUFan1")?.deviceType == "fan")
    #expect(inventory.point("/redfish/v1/Chassis/1U/Sensors/PS2Energy")?.value == .absent)
    let led = try #require(inventory.point("/redfish/v1/Chassis/1U#/LocationIndicatorActive"))
    #expect(led.deviceType == "led" && led.control == .locationIndicator && led.value == .text("on"))
    let system = "/redfish/v1/Systems/437XR1138R2"
    let power = try #require(inventory.point(system + "#/PowerState"))
    #expect(power.value == .text("On") && power.output == "state")
    #expect(
      power.control
        == .reset(
          target: system + "/Actions/ComputerSystem.Reset",
          allowable: ["On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn", "PushPowerButton"]))
    #expect(inventory.point(system + "#/IndicatorLED")?.control == .indicatorLED)
    #expect(inventory.points.map(\.key) == inventory.points.map(\.key).sorted())
  }

  @Test func bladedLegacyThermalAndPowerWithThresholds() async throws {
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: MockupTrees.tree("public-bladed")))
    #expect(inventory.problems == [])
    // Counted with jq: no Sensors; Thermal of 5 chassis: 5 Temperatures + 8 Fans; Power of
    // MultiBladeEncl: 2 PowerSupplies × (LastPowerOutputWatts, LineInputVoltage) = 4 → 17
    // readings; IndicatorLED on 5 chassis + 4 systems = 9 led; 4 systems' power-state → 30.
    #expect(inventory.points.count == 30)
    #expect(inventory.points.filter { $0.deviceType == "led" }.count == 9)
    #expect(inventory.points.filter { $0.deviceType == "power-state" }.count == 4)
    let blade3 = try #require(inventory.point("/redfish/v1/Chassis/Blade3/Thermal#/Temperatures/0"))
    #expect(blade3.value == .number(77) && blade3.context["physical_context"] == "CPU")
    #expect(blade3.thresholds == Thresholds(upperCaution: Threshold(reading: 75), upperCritical: Threshold(reading: 90), upperFatal: Threshold(reading: 95)))
    let fan2 = try #require(inventory.point("/redfish/v1/Chassis/MultiBladeEncl/Thermal#/Fans/2"))
    #expect(fan2.value == .number(0) && fan2.output == "rpm" && fan2.thresholds == Thresholds(lowerFatal: Threshold(reading: 3000)))
    #expect(inventory.point("/redfish/v1/Chassis/MultiBladeEncl/Power#/PowerSupplies/1/LastPowerOutputWatts")?.value == .number(635))
    let led = try #require(inventory.point("/redfish/v1/Chassis/Blade1#/IndicatorLED"))
    #expect(led.value == .text("off") && led.control == .indicatorLED && led.tags.contains("redfish/chassis:Blade1"))
  }

  @Test func pduSensorsCircuitsAndOutlets() async throws {
    let tree = MockupTrees.tree("public-pdu")
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(inventory.problems == [])
    try Self.expectEverySensor(tree, in: inventory)
    // Counted with python over the files: 65 + 50 Sensors (Chassis/PDU, Chassis/TransferSwitch1);
    // Mains/Branches/Outlets excerpts whose DataSourceUri is none of those Sensors, one per
    // DataSourceUri: 14 (Branches A–C: EnergykWh, FrequencyHz, …; all on branches); 10 outlets
    // with #Outlet.PowerControl (A5 has none) → 139.
    #expect(inventory.points.count == 139)
    let outlets = inventory.points.filter { $0.deviceType == "outlet" }
    #expect(outlets.count == 10)
    let a1 = "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1"
    let outlet = try #require(inventory.point(a1 + "#/PowerState"))
    #expect(outlet.value == .text("On") && outlet.control == .outletPower(target: a1 + "/Outlet.PowerControl", allowable: ["On", "Off", "PowerCycle"]))
    #expect(inventory.point(a1 + "#/CurrentAmps") == nil, "A1's CurrentAmps is Sensors/CurrentA1")
    let energyA = try #require(inventory.point("/redfish/v1/PowerEquipment/RackPDUs/1/Branches/A#/EnergykWh"))
    #expect(energyA.output == "kilowatt-hour" && energyA.value == .number(325675) && energyA.tags.contains("redfish/pdu:1"))
    let currentB = try #require(inventory.point("/redfish/v1/PowerEquipment/RackPDUs/1/Branches/B#/CurrentAmps"))
    #expect(currentB.output == "electric-current" && currentB.value == .number(5.95))
    #expect(inventory.point("/redfish/v1/PowerEquipment/RackPDUs/1/Branches/B#/PolyPhaseCurrentAmps/Line2") == nil, "same DataSourceUri as CurrentAmps")
  }
}
