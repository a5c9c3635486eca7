import Foundation
import RedfishPlugin
import SynseSupport
import Testing

/// Broken resources in temp copies of the DMTF mockups: each is a problem for that resource
/// only; only a service root that fails stops the walk.
@Suite struct DiscoveryFaultTests {
  static let sensors = "/redfish/v1/Chassis/1U/Sensors"

  @Test func malformedMissingOrWrongShapeResourceIsAProblemForItOnly() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    try MockupTrees.writeRaw(tree, Self.sensors + "/CPU1Temp", "{\"Reading\": 44,")
    try FileManager.default.removeItem(at: MockupTrees.file(tree, Self.sensors + "/AmbientTemp"))
    try MockupTrees.edit(tree, Self.sensors + "/DIMM1Temp") { $0["Reading"] = "hot" }
    // A vendor block of any shape is ignored.
    try MockupTrees.edit(tree, Self.sensors + "/ExhaustTemp") { $0["Oem"] = ["Contoso": ["Reading": "n/a", "Fans": [1, 2]]] }
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(
      inventory.problems == [
        Self.sensors + "/AmbientTemp: 404 Not Found",
        Self.sensors + "/CPU1Temp: malformed JSON",
        Self.sensors + "/DIMM1Temp: wrong shape at Reading: expected Double",
      ])
    for broken in ["AmbientTemp", "CPU1Temp", "DIMM1Temp"] { #expect(inventory.point(Self.sensors + "/" + broken) == nil) }
    // The other 38 of the 41 Sensors are all there.
    let sensorPoints = inventory.points.filter { $0.key.hasPrefix(Self.sensors + "/") }
    #expect(sensorPoints.count == 38)
    #expect(inventory.point(Self.sensors + "/ExhaustTemp")?.value == .number(40.5))
    // With Sensor CPU1Temp unreadable, legacy "CPU1 Temp" is that sensor's only source.
    #expect(inventory.point("/redfish/v1/Chassis/1U/Thermal#/Temperatures/0")?.value == .number(41))
  }

  /// Once a walk matched legacy "CPU1 Temp" to Sensor CPU1Temp, a walk in which that Sensor
  /// fails leaves the sensor without a reading rather than making the legacy member a device
  /// (another device ID, for one poll); a Sensor the service no longer lists brings it back.
  @Test func aFailingSensorKeepsItsMatchedLegacyTwinHidden() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    let legacy = "/redfish/v1/Chassis/1U/Thermal#/Temperatures/0"
    let memory = RedfishWalkMemory()
    func walk() async throws -> RedfishInventory {
      try await RedfishDiscovery.walk(MockupFilesTransport(root: tree), logger: MockupTrees.logger, memory: memory)
    }
    let first = try await walk()
    #expect(first.point(Self.sensors + "/CPU1Temp") != nil && first.point(legacy) == nil)
    try MockupTrees.writeRaw(tree, Self.sensors + "/CPU1Temp", "{\"Reading\": 44,")
    let broken = try await walk()
    #expect(broken.problems == [Self.sensors + "/CPU1Temp: malformed JSON"])
    #expect(broken.point(Self.sensors + "/CPU1Temp") == nil && broken.point(legacy) == nil)
    #expect(broken.points.count == first.points.count - 1)
    try MockupTrees.edit(tree, Self.sensors) { collection in
      let members = (collection["Members"] as! [[String: Any]]).filter { $0["@odata.id"] as? String != Self.sensors + "/CPU1Temp" }
      collection["Members"] = members
      collection["Members@odata.count"] = members.count
    }
    let removed = try await walk()
    #expect(removed.problems == [])
    #expect(removed.point(legacy)?.value == .number(41))
  }

  @Test func brokenLegacyResourceAndSystemAreProblemsOnly() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    try MockupTrees.writeRaw(tree, "/redfish/v1/Chassis/1U/Thermal", "<html>busy</html>")
    try MockupTrees.edit(tree, "/redfish/v1/Systems/437XR1138R2") { $0["PowerState"] = ["On"] }
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(
      inventory.problems == [
        "/redfish/v1/Chassis/1U/Thermal: not JSON: the body starts with \"<html>busy</html>\"",
        "/redfish/v1/Systems/437XR1138R2: wrong shape at PowerState: expected String",
      ])
    #expect(!inventory.points.contains { $0.key.contains("/Thermal#") })
    #expect(inventory.points.count == 52 - 3 - 2)  // 3 legacy temperature/fan points kept before, 2 system points
  }

  @Test func nullReadingIsAbsentAndNullThresholdIsUnset() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    try MockupTrees.edit(tree, Self.sensors + "/TotalPower") {
      $0["Reading"] = NSNull()
      var thresholds = $0["Thresholds"] as! [String: Any]
      thresholds["UpperCaution"] = ["Reading": NSNull()]
      $0["Thresholds"] = thresholds
    }
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(inventory.problems == [])
    let point = try #require(inventory.point(Self.sensors + "/TotalPower"))
    #expect(point.value == .absent && point.output == "watt")
    #expect(point.thresholds?.upperCaution == nil && point.thresholds?.upperCritical != nil)
  }

  @Test func invalidThresholdsAreDroppedWithAProblemNamingTheResource() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    try MockupTrees.edit(tree, Self.sensors + "/CPU1Temp") {
      var thresholds = $0["Thresholds"] as! [String: Any]
      thresholds["UpperCritical"] = ["Reading": 30]  // below UpperCaution 42
      $0["Thresholds"] = thresholds
    }
    try MockupTrees.edit(tree, Self.sensors + "/CPUFan1") {
      $0["Thresholds"] = ["LowerCaution": ["Reading": 5, "DwellTime": "5 minutes"]]
    }
    try MockupTrees.edit(tree, "/redfish/v1/Chassis/1U/Power") {
      var voltages = $0["Voltages"] as! [[String: Any]]
      voltages[0]["UpperThresholdCritical"] = 12.2  // below UpperThresholdNonCritical 12.5
      $0["Voltages"] = voltages
    }
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(inventory.problems.count == 3)
    let cpu = try #require(inventory.point(Self.sensors + "/CPU1Temp"))
    #expect(cpu.thresholds == nil && cpu.value == .number(44))
    #expect(inventory.problems.contains { $0.hasPrefix(Self.sensors + "/CPU1Temp: thresholds dropped") && $0.contains("UpperCritical") })
    #expect(inventory.problems.contains { $0.hasPrefix(Self.sensors + "/CPUFan1: thresholds dropped") && $0.contains("5 minutes") })
    #expect(inventory.problems.contains { $0.hasPrefix("/redfish/v1/Chassis/1U/Power#/Voltages/0: thresholds dropped") })
    #expect(inventory.point("/redfish/v1/Chassis/1U/Power#/Voltages/0")?.thresholds == nil)
    #expect(inventory.point("/redfish/v1/Chassis/1U/Power#/Voltages/1")?.thresholds != nil)
  }

  /// A BMC that sends `"N/A"` for one threshold loses that threshold, with a problem, not the
  /// reading nor its other thresholds (the whole resource failed to decode before).
  @Test func aThresholdThatIsNotANumberDropsOnlyItself() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    try MockupTrees.edit(tree, Self.sensors + "/CPU1Temp") {
      var thresholds = $0["Thresholds"] as! [String: Any]
      thresholds["UpperCritical"] = ["Reading": "N/A", "Activation": "Increasing"]
      $0["Thresholds"] = thresholds
    }
    try MockupTrees.edit(tree, "/redfish/v1/Chassis/1U/Power") {
      var voltages = $0["Voltages"] as! [[String: Any]]
      voltages[0]["UpperThresholdCritical"] = "N/A"
      $0["Voltages"] = voltages
    }
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(
      Set(inventory.problems) == [
        Self.sensors + "/CPU1Temp: UpperCritical.Reading \"N/A\" is not a number: that threshold ignored",
        "/redfish/v1/Chassis/1U/Power#/Voltages/0: UpperThresholdCritical \"N/A\" is not a number: that threshold ignored",
      ] && inventory.problems.count == 2, "\(inventory.problems)")
    let cpu = try #require(inventory.point(Self.sensors + "/CPU1Temp"))
    #expect(cpu.value == .number(44))
    #expect(cpu.thresholds?.upperCritical == nil && cpu.thresholds?.upperCaution?.reading == 42 && cpu.thresholds?.upperFatal != nil)
    let volts = try #require(inventory.point("/redfish/v1/Chassis/1U/Power#/Voltages/0"))
    #expect(volts.value != .absent && volts.thresholds?.upperCritical == nil && volts.thresholds?.upperCaution != nil)
  }

  @Test func pagedCollectionIsFollowedThroughNextLink() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    let all = try MockupTrees.members(tree, Self.sensors)
    #expect(all.count == 41)
    func page(_ members: ArraySlice<String>, next: String?) -> [String: Any] {
      var object: [String: Any] = ["Members": members.map { ["@odata.id": $0] }, "Members@odata.count": 41]
      if let next { object["Members@odata.nextLink"] = next }
      return object
    }
    try MockupTrees.write(tree, Self.sensors, page(all[0..<15], next: Self.sensors + "?$skip=15"))
    // sushy-static maps a query to a directory of that name, so the next pages live there.
    try MockupTrees.writeRaw(tree, Self.sensors + "?$skip=15", "{}")
    try MockupTrees.write(tree, Self.sensors + "?$skip=15", page(all[15..<30], next: Self.sensors + "?$skip=30"))
    try MockupTrees.writeRaw(tree, Self.sensors + "?$skip=30", "{}")
    try MockupTrees.write(tree, Self.sensors + "?$skip=30", page(all[30...], next: nil))
    let transport = MockupFilesTransport(root: tree)
    let inventory = try await MockupTrees.walk(transport)
    #expect(inventory.problems == [])
    #expect(inventory.points.filter { $0.key.hasPrefix(Self.sensors + "/") }.count == 41)
    #expect(transport.requests.contains(Self.sensors + "?$skip=30"))

    // A nextLink that loops back is followed once, reported, and the walk ends.
    try MockupTrees.write(tree, Self.sensors + "?$skip=30", page(all[30...], next: Self.sensors + "?$skip=15"))
    let looped = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(looped.points.filter { $0.key.hasPrefix(Self.sensors + "/") }.count == 41)
    #expect(looped.problems.count == 1 && looped.problems[0].hasPrefix(Self.sensors + "?$skip=15: Members@odata.nextLink repeats"))
  }

  @Test func serviceRootThatIsNotRedfishThrowsMalformed() async throws {
    let tree = try MockupTrees.copy("public-pdu")
    defer { MockupTrees.remove(tree) }
    for body in ["{\"name\": \"some other JSON API\", \"version\": 2}", "<html><body>Login</body></html>", "[1, 2]"] {
      try MockupTrees.writeRaw(tree, "/redfish/v1", body)
      let error = await #expect(throws: RedfishError.self) { try await MockupTrees.walk(MockupFilesTransport(root: tree)) }
      #expect(error?.kind == .malformed && error?.path == "/redfish/v1", "\(body)")
      #expect(error?.message.hasPrefix("not a Redfish service root") == true, "\(body)")
    }
    try FileManager.default.removeItem(at: MockupTrees.file(tree, "/redfish/v1"))
    let error = await #expect(throws: RedfishError.self) { try await MockupTrees.walk(MockupFilesTransport(root: tree)) }
    #expect(error?.kind == .status && error?.httpStatus == 404)
  }

  @Test func serviceWithoutUUIDIsKeyedOnItsEndpoint() async throws {
    let tree = try MockupTrees.copy("public-bladed")
    defer { MockupTrees.remove(tree) }
    try MockupTrees.edit(tree, "/redfish/v1") { $0["UUID"] = nil }
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree, endpoint: "https://10.0.0.9"))
    #expect(inventory.serviceUUID == "https://10.0.0.9")
  }
}
