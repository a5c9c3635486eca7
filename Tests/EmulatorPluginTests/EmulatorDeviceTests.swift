import Foundation
import Logging
import Testing
@testable import EmulatorPlugin
@testable import SynseSDK

/// Device IDs of the emulator's default config and of the client integration-test set,
/// against the published values (docs/plugin-protocol.md §5.4, §5.5).
struct EmulatorDeviceTests {
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static let publishedDefaultIDs: [String: String] = [
    "Synse Airflow Sensor": "69c2e1e2-e658-5d71-8e43-091f68aa6e84",
    "Carousel Get Rack Position": "855269af-07ef-5ffe-b3c4-038ab99883b6",
    "Carousel Set Rack Position": "d53b1747-7912-5332-8a23-d7f7bd785c14",
    "Carousel State Machine Code": "3c05b650-618b-5a86-b534-10c6f3721617",
    "Carousel Status Register": "84ac78a9-fe9a-5eb1-aba7-63d8afade999",
    "Carousel VFD Error Code": "977e888c-76e9-5de1-a395-6582324197ca",
    "Carousel Rotate": "b3acf015-4b5b-54be-b7da-fe6bc76ba376",
    "Synse Fan": "998e6025-ddfb-533a-9efe-dd26d512b555",
    "Synse Humidity Sensor": "fef34490-4952-5e92-bf4d-aad169df980e",
    "Synse LED": "f041883c-cf87-55d7-a978-3d3103836412",
    "Synse Backup LED": "01976737-085c-5e4c-94bc-a383d3d130fb",
    "Synse Door Lock": "1b714cf2-cc56-5c36-9741-fd6a483b5f10",
    "Zone 1 Power": "bc583d62-c9c9-5778-863b-0ebe360ebcb0",
    "Zone 2 Power": "0570c34a-32fd-56c5-a0a3-d4a229e89536",
    "Zone 3 Power": "dde22569-deea-5d06-a0a4-1320993c110a",
    "Zone 4 Power": "e8525fdf-73f1-5e2b-aa45-17ad12199a49",
    "Total Power Usage": "6944ec43-2dc5-5b3a-a934-8f3937d7e93d",
    "Zone 1 Voltage": "0da9a0cb-9d58-5ac7-8293-7c29485fa65f",
    "Zone 2 Voltage": "51fe41da-7631-5984-a93e-bc544f31a6e9",
    "Zone 1 Kilowatt-hour": "b079f4b8-42b8-5e62-8ee7-b74040a40561",
    "Zone 2 Kilowatt-hour": "d755b2a9-1df5-5202-ab9f-f9b928592e1a",
    "Synse Pressure Sensor 1": "b30f844d-f0db-557f-b073-893917f909ad",
    "Synse Pressure Sensor 2": "494bd3ed-72ec-53e9-ba65-729610516e25",
    "Synse Temperature Sensor 1": "9907bdfa-75e1-5af5-8385-87184f356b22",
    "Synse Temperature Sensor 2": "89fd576d-462c-53be-bcb6-7870e70c304a",
    "Synse Temperature Sensor 3": "b9324904-385b-581d-b790-5e53eaabfd20",
    "Synse Temperature Sensor 4": "c2f6f762-fa30-5f0a-ba6c-f52d8deb3c07",
    "Synse Temperature Sensor 5": "9669ca7a-41c1-5ad8-8c45-c359ca47f7f4",
    "Seconds on battery power": "7f08f702-2fb7-55b5-9875-b9dc4edc6a47",
  ]

  func load(environment: [String: String]) throws -> PluginRuntime {
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    return try EmulatorPlugin.make().load(loader: ConfigLoader(environment: environment, workingDirectory: empty.path), logger: Logger(label: "test"))
  }

  @Test func defaultConfigGivesThePublishedIDs() throws {
    let runtime = try load(environment: [:])
    #expect(runtime.pluginID == "4032ffbe-80db-5aa5-b794-f35c88dff85c")
    let devices = runtime.devices.devices
    #expect(devices.count == 29)
    #expect(Dictionary(uniqueKeysWithValues: devices.map { ($0.info, $0.id) }) == Self.publishedDefaultIDs)
    #expect(try runtime.address() == .tcp(host: "0.0.0.0", port: 5001))
    let carousel = try #require(devices.first { $0.info == "Carousel Rotate" })
    #expect(carousel.context == ["emulated": "1", "model": "Vapor Carousel"])
    #expect(devices.first { $0.info == "Synse LED" }?.alias == "emulator-led")
  }

  @Test func clientIntegrationSetGivesThePublishedIDs() throws {
    let file = Self.packageRoot.appendingPathComponent("plugins/emulator/config/client-integration/devices.yaml").path
    let runtime = try load(environment: ["PLUGIN_DEVICE_CONFIG": file])
    let devices = runtime.devices.devices
    #expect(devices.map(\.id).sorted() == [
      "89fd576d-462c-53be-bcb6-7870e70c304a", "9907bdfa-75e1-5af5-8385-87184f356b22",
      "b9324904-385b-581d-b790-5e53eaabfd20", "c2f6f762-fa30-5f0a-ba6c-f52d8deb3c07",
      "f041883c-cf87-55d7-a978-3d3103836412",
    ])
    #expect(devices.allSatisfy { $0.context.isEmpty })
    let led = try #require(devices.first { $0.type == "led" })
    #expect(led.tags.map(\.description) == ["foo/bar", "system/id:\(led.id)", "system/type:led"])
  }

  @Test func randomWalkStaysInBoundsAndHonoursWrites() throws {
    let emitter = Emitter(mode: .randomWalk, min: 0, max: 10)
    #expect(emitter.next() == 5)
    for _ in 0..<1000 { #expect((0...10).contains(emitter.next())) }
    try applyBoundsWrite(WriteData(action: "current", data: Array("7".utf8)), to: emitter)
    try applyBoundsWrite(WriteData(action: "min", data: Array("7".utf8)), to: emitter)
    try applyBoundsWrite(WriteData(action: "max", data: Array("7".utf8)), to: emitter)
    #expect(emitter.next() == 7)
    #expect(throws: HandlerError.self) { try applyBoundsWrite(WriteData(action: "current", data: Array("x".utf8)), to: emitter) }
    #expect(throws: HandlerError.self) { try applyBoundsWrite(WriteData(action: "current"), to: emitter) }
    #expect(throws: HandlerError.self) { try applyBoundsWrite(WriteData(action: "jump", data: Array("1".utf8)), to: emitter) }
  }

  @Test func accumulatorWrapsAround() {
    let emitter = Emitter(mode: .accumulate, min: 0, max: 2)
    #expect((0..<5).map { _ in emitter.next() } == [0, 1, 2, 0, 1])
  }
}
