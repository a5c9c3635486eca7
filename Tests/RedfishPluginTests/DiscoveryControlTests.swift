import Foundation
import RedfishPlugin
import Testing

/// Controls (allowable values from the action or its ActionInfo, LED states), sensors listed
/// twice, and expanded members that do not decode, in temp copies of the DMTF mockups.
@Suite struct DiscoveryControlTests {
  static let system = "/redfish/v1/Systems/437XR1138R2"
  static let target = system + "/Actions/ComputerSystem.Reset"

  func editReset(_ tree: URL, _ change: @escaping (inout [String: Any]) -> Void) throws {
    try MockupTrees.edit(tree, Self.system) { object in
      var actions = object["Actions"] as! [String: Any]
      var reset = actions["#ComputerSystem.Reset"] as! [String: Any]
      change(&reset)
      actions["#ComputerSystem.Reset"] = reset
      object["Actions"] = actions
    }
  }

  @Test func resetAllowableValuesComeFromActionInfoElseTheSchemaEnum() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    let info = Self.system + "/ResetActionInfo"
    try editReset(tree) {
      $0["ResetType@Redfish.AllowableValues"] = nil
      $0["@Redfish.ActionInfo"] = info
    }
    try MockupTrees.writeRaw(tree, info, "{}")
    try MockupTrees.write(tree, info, ["Parameters": [["Name": "ResetType", "AllowableValues": ["On", "ForceOff"]], ["Name": "Other"]]])
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(inventory.problems == [])
    #expect(inventory.point(Self.system + "#/PowerState")?.control == .reset(target: Self.target, allowable: ["On", "ForceOff"]))

    // ActionInfo gone: a problem naming it, and every ResetType of the schema.
    try FileManager.default.removeItem(at: MockupTrees.file(tree, info))
    let missing = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(missing.problems == [info + ": 404 Not Found"])
    let schema = [
      "On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn", "PushPowerButton",
      "PowerCycle", "Suspend", "Pause", "Resume",
    ]
    #expect(missing.point(Self.system + "#/PowerState")?.control == .reset(target: Self.target, allowable: schema))

    // No reset action: no power-state point (nothing to write), the LED stays.
    try MockupTrees.edit(tree, Self.system) { $0["Actions"] = ["Oem": [:]] }
    let none = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(none.point(Self.system + "#/PowerState") == nil && none.point(Self.system + "#/IndicatorLED") != nil)
  }

  @Test func ledStatesAreSynseLEDStates() async throws {
    let tree = try MockupTrees.copy("public-bladed")
    defer { MockupTrees.remove(tree) }
    try MockupTrees.edit(tree, "/redfish/v1/Chassis/Blade1") { $0["IndicatorLED"] = "Blinking" }
    try MockupTrees.edit(tree, "/redfish/v1/Chassis/Blade2") { $0["IndicatorLED"] = "Lit" }
    try MockupTrees.edit(tree, "/redfish/v1/Chassis/Blade3") { $0["LocationIndicatorActive"] = false }
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(inventory.point("/redfish/v1/Chassis/Blade1#/IndicatorLED")?.value == .text("blink"))
    #expect(inventory.point("/redfish/v1/Chassis/Blade2#/IndicatorLED")?.value == .text("on"))
    #expect(inventory.point("/redfish/v1/Chassis/Blade4#/IndicatorLED")?.value == .text("off"))
    // The modern property wins when a chassis has both: one LED point.
    let blade3 = inventory.points.filter { $0.key.hasPrefix("/redfish/v1/Chassis/Blade3#") }
    #expect(blade3.map(\.key) == ["/redfish/v1/Chassis/Blade3#/LocationIndicatorActive"])
    #expect(blade3.first?.value == .text("off") && blade3.first?.control == .locationIndicator)
  }

  @Test func outletAllowableValuesInlineAndSensorListedTwiceIsOnePoint() async throws {
    let tree = try MockupTrees.copy("public-pdu")
    defer { MockupTrees.remove(tree) }
    let outlet = "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/B2"
    try MockupTrees.edit(tree, outlet) { object in
      object["PowerState"] = "Off"
      object["Actions"] = [
        "#Outlet.PowerControl": ["target": outlet + "/Outlet.PowerControl", "PowerState@Redfish.AllowableValues": ["On", "Off"]]
      ]
    }
    try MockupTrees.edit(tree, "/redfish/v1/Chassis/TransferSwitch1/Sensors") { object in
      var members = object["Members"] as! [[String: Any]]
      members.append(["@odata.id": "/redfish/v1/Chassis/PDU/Sensors/CabTemp"])
      object["Members"] = members
    }
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(inventory.problems == [])
    let point = try #require(inventory.point(outlet + "#/PowerState"))
    #expect(point.value == .text("Off") && point.control == .outletPower(target: outlet + "/Outlet.PowerControl", allowable: ["On", "Off"]))
    #expect(inventory.points("/redfish/v1/Chassis/PDU/Sensors/CabTemp").count == 1)
    #expect(inventory.points.count == 139)  // as in the untouched mockup
  }

  @Test func expandedMemberThatDoesNotDecodeIsAProblemForItOnly() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    let dimm = "/redfish/v1/Chassis/1U/Sensors/DIMM1Temp"
    try MockupTrees.edit(tree, dimm) { $0["Reading"] = "hot" }
    let expanded = try await MockupTrees.walk(MockupFilesTransport(root: tree, query: .expand))
    let plain = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(expanded.problems == [dimm + ": wrong shape at Reading: expected Double"])
    #expect(plain.problems == expanded.problems && plain.points == expanded.points)
    #expect(expanded.point(dimm) == nil && expanded.points.count == 51)
  }
}
