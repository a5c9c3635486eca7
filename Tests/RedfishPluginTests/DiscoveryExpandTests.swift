import Foundation
@testable import RedfishPlugin
import Testing

/// `$expand` (fewer requests, same inventory), the request count, and the mapping table.
@Suite struct DiscoveryExpandTests {
  @Test func expandGivesTheSameInventoryWithFewerRequests() async throws {
    let tree = MockupTrees.tree("public-rackmount1")
    let sushy = MockupFilesTransport(root: tree)
    let plain = try await MockupTrees.walk(sushy)
    let expanding = MockupFilesTransport(root: tree, query: .expand)
    let expanded = try await MockupTrees.walk(expanding)
    let ignoring = MockupFilesTransport(root: tree, query: .ignore)
    let ignored = try await MockupTrees.walk(ignoring)
    #expect(expanded.points == plain.points && ignored.points == plain.points)
    #expect(expanded.problems == [] && plain.problems == [] && ignored.problems == [])
    // Counted by hand from the files: root, Chassis, Chassis/1U, 1U/Sensors, its 41 members,
    // Thermal, Power, Systems, the 1 system = 49; sushy-static answers the first
    // `Chassis?$expand=.($levels=1)` with 404, one more, then the walk stops asking: 50.
    #expect(plain.requestCount == 50 && sushy.requestCount == 50)
    #expect(sushy.requests.filter { $0.contains("$expand") } == ["/redfish/v1/Chassis?$expand=.($levels=1)"])
    // Expanded: root, Chassis, 1U/Sensors and Systems with $expand, Thermal, Power = 6.
    #expect(expanded.requestCount == 6 && expanding.requestCount == 6)
    // A service that ignores the query answers links: members are fetched one by one, 49.
    #expect(ignored.requestCount == 49 && ignoring.requestCount == 49)
  }

  @Test func refusedExpandIsRememberedAcrossWalks() async throws {
    let tree = MockupTrees.tree("public-rackmount1")
    let memory = RedfishWalkMemory()
    let first = MockupFilesTransport(root: tree)
    _ = try await RedfishDiscovery.walk(first, logger: MockupTrees.logger, memory: memory)
    #expect(memory.expandRefused && first.requestCount == 50)
    let second = MockupFilesTransport(root: tree)
    let inventory = try await RedfishDiscovery.walk(second, logger: MockupTrees.logger, memory: memory)
    #expect(!second.requests.contains { $0.contains("$expand") } && inventory.requestCount == 49)
    // A service that honours $expand is never marked.
    let honoured = RedfishWalkMemory()
    _ = try await RedfishDiscovery.walk(MockupFilesTransport(root: tree, query: .expand), logger: MockupTrees.logger, memory: honoured)
    #expect(!honoured.expandRefused)
  }

  @Test func missingCollectionIsAProblemNotARefusedExpand() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    try FileManager.default.removeItem(at: MockupTrees.file(tree, "/redfish/v1/Chassis/1U/Sensors"))
    let memory = RedfishWalkMemory()
    let transport = MockupFilesTransport(root: tree, query: .expand)
    let inventory = try await RedfishDiscovery.walk(transport, logger: MockupTrees.logger, memory: memory)
    #expect(inventory.problems == ["/redfish/v1/Chassis/1U/Sensors: 404 Not Found"])
    #expect(!memory.expandRefused && transport.requests.contains("/redfish/v1/Systems?$expand=.($levels=1)"))
    // 10 legacy points (none is a duplicate now), 2 LEDs, 1 power state.
    #expect(inventory.points.count == 13)
  }

  @Test func annotatedLinksAreStillFetched() async throws {
    // A member with annotations (or a vendor block) but no `Id`/`Name` is a link, not a resource.
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    let sensors = "/redfish/v1/Chassis/1U/Sensors"
    try MockupTrees.edit(tree, sensors) { object in
      object["Members"] = (object["Members"] as! [[String: Any]]).map { member in
        member.merging(["@odata.type": "#Sensor.v1_12_0.Sensor", "Oem": ["Contoso": [:]]]) { old, _ in old }
      }
    }
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    #expect(inventory.problems == [] && inventory.points.count == 52)
    #expect(inventory.point(sensors + "/CPU1Temp")?.value == .number(44))
  }

  @Test func serviceWithoutExpandIsNeverAskedWithIt() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    try MockupTrees.edit(tree, "/redfish/v1") { $0["ProtocolFeaturesSupported"] = nil }
    let transport = MockupFilesTransport(root: tree, query: .expand)
    let inventory = try await MockupTrees.walk(transport)
    #expect(!transport.requests.contains { $0.contains("?") })
    #expect(inventory.requestCount == 49 && inventory.points.count == 52)
  }

  @Test func walksOfTheSameServiceAreEqual() async throws {
    let tree = MockupTrees.tree("public-pdu")
    let first = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    let second = try await MockupTrees.walk(MockupFilesTransport(root: tree, query: .expand))
    #expect(first.points == second.points && first.serviceUUID == second.serviceUUID)
    #expect(second.requestCount < first.requestCount)
  }

  @Test func readingKindTable() {
    let cases: [(unit: String?, type: String?, deviceType: String, output: String, note: String?)] = [
      ("Cel", nil, "temperature", "temperature", nil),
      ("C", "Temperature", "temperature", "temperature", nil),
      ("V", "Voltage", "voltage", "voltage", nil),
      ("W", "Power", "power", "watt", nil),
      ("A", "Current", "current", "electric-current", nil),
      ("RPM", "Rotational", "fan", "rpm", nil),
      ("RPM", ReadingKind.fan, "fan", "rpm", nil),
      ("Percent", ReadingKind.fan, "fan", "percentage", nil),
      ("%", ReadingKind.fan, "fan", "percentage", nil),
      ("%", nil, "percentage", "percentage", nil),
      ("%", "Humidity", "humidity", "humidity", nil),
      ("kW.h", nil, "energy", "kilowatt-hour", nil),
      ("kW", "EnergykWh", "energy", "kilowatt-hour", nil),
      ("kJ", nil, "energy", "kilojoule", nil),
      ("Hz", "Frequency", "frequency", "frequency", nil),
      ("Pa", "PressurePa", "pressure", "pascal", nil),
      (nil, "Voltage", "voltage", "voltage", nil),
      ("[ft_i]3/min", "AirFlow", "airflow", "number", "[ft_i]3/min"),
      ("kPa", nil, "number", "number", "kPa"),
    ]
    for c in cases {
      #expect(
        ReadingKind.of(unit: c.unit, readingType: c.type) == ReadingKind(deviceType: c.deviceType, output: c.output, unitNote: c.note),
        "\(c.unit ?? "nil") \(c.type ?? "nil")")
    }
  }

  @Test func unknownUnitIsANumberWithItsUnitInContext() async throws {
    let tree = try MockupTrees.copy("public-rackmount1")
    defer { MockupTrees.remove(tree) }
    try MockupTrees.edit(tree, "/redfish/v1/Chassis/1U/Sensors/AmbientTemp") {
      $0["ReadingType"] = "AirFlow"
      $0["ReadingUnits"] = "[ft_i]3/min"
    }
    let inventory = try await MockupTrees.walk(MockupFilesTransport(root: tree))
    let point = try #require(inventory.point("/redfish/v1/Chassis/1U/Sensors/AmbientTemp"))
    #expect(point.output == "number" && point.deviceType == "airflow" && point.context["unit"] == "[ft_i]3/min")
    #expect(point.value == .number(22.5))
  }
}
