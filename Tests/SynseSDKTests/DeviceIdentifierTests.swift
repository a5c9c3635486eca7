import Testing
@testable import SynseSDK

/// Vectors from docs/plugin-protocol.md §2.5 (computed independently by its verify_ids.py).
struct DeviceIdentifierTests {
  let emulatorID = "4032ffbe-80db-5aa5-b794-f35c88dff85c"

  @Test(arguments: [
    ("emulator plugin", "vaporio", "vaporio/emulator-plugin"),
    ("Simple Modbus-over-IP", "Vapor IO", "vapor-io/simple-modbus_over_ip"),
    ("Simple Plugin", "Vapor I-0", "vapor-i_0/simple-plugin"),
  ])
  func pluginTags(name: String, maintainer: String, tag: String) {
    #expect(DeviceIdentifier.pluginTag(name: name, maintainer: maintainer) == tag)
  }

  @Test func pluginIDs() {
    #expect(DeviceIdentifier.pluginID(namespaceName: "vaporio/emulator-plugin") == emulatorID)
    #expect(DeviceIdentifier.pluginID(namespaceName: "bar/foo.one.two.a.b.c") == "b87c4dd2-0017-54cc-9cc4-56fcef7991a5")
    #expect(DeviceIdentifier.pluginID(namespaceName: "vaporio/memory-tutorial") == "f61f04ae-6338-5cbd-9bdf-ca6ed6c307db")
  }

  @Test func pluginIDFromConfigComponents() throws {
    var settings = PluginConfig.Identity()
    settings.useEnv = ["ONE", "TWO"]
    settings.useCustom = ["a", "b", "c"]
    let id = try PluginIdentity.pluginID(tag: "bar/foo", settings: settings, environment: ["ONE": "one", "TWO": "two"])
    #expect(id == "b87c4dd2-0017-54cc-9cc4-56fcef7991a5")
    #expect(throws: ConfigError.self) {
      try PluginIdentity.pluginID(tag: "bar/foo", settings: settings, environment: ["ONE": "one"])
    }
    var none = PluginConfig.Identity()
    none.usePluginTag = false
    #expect(throws: ConfigError.self) { try PluginIdentity.pluginID(tag: "bar/foo", settings: none, environment: [:]) }
  }

  @Test(arguments: [
    ("led", 1, "f041883c-cf87-55d7-a978-3d3103836412"),
    ("temperature", 1, "9907bdfa-75e1-5af5-8385-87184f356b22"),
    ("temperature", 2, "89fd576d-462c-53be-bcb6-7870e70c304a"),
    ("temperature", 3, "b9324904-385b-581d-b790-5e53eaabfd20"),
    ("temperature", 4, "c2f6f762-fa30-5f0a-ba6c-f52d8deb3c07"),
    ("pressure", 2, "494bd3ed-72ec-53e9-ba65-729610516e25"),
  ])
  func emulatorDeviceIDs(type: String, dataID: Int64, expected: String) {
    let component = DeviceIdentifier.dataComponent(.map([("id", .int(dataID))]))
    #expect(DeviceIdentifier.deviceID(pluginID: emulatorID, type: type, handler: type, component: component) == expected)
  }

  @Test func tutorialDeviceID() {
    let id = DeviceIdentifier.deviceID(
      pluginID: "f61f04ae-6338-5cbd-9bdf-ca6ed6c307db", type: "memory", handler: "virtual-memory", component: "1")
    #expect(id == "aad3aac1-c1e2-54ac-8809-cb2883daa979")
  }

  @Test func defaultIdentifierSortsKeysAndSkipsMaps() {
    let data1 = ConfigValue.map([("foo", .string("bar")), ("abc", .int(1)), ("bool", .bool(true))])
    #expect(DeviceIdentifier.dataComponent(data1) == "1truebar")
    let data2 = ConfigValue.map([
      ("z", .bool(false)), ("a", .float(3.23)), ("b", .int(-4)), ("c", .string("bar")),
      ("d", .list([.string("a"), .string("b"), .string("c")])), ("e", .map([("x", .int(1))])),
    ])
    #expect(DeviceIdentifier.dataComponent(data2) == "3.23-4bar[a b c]false")
    #expect(DeviceIdentifier.dataComponent(.map([])) == "")
  }

  @Test func namespacedDeviceID() {
    let namespace = DeviceIdentifier.pluginID(namespaceName: "test")
    let id = DeviceIdentifier.deviceID(pluginID: namespace, type: "foo", handler: "bar", component: "value12")
    // Recomputed with Python's uuid.uuid5(uuid.uuid5(NAMESPACE_DNS, "test"), "foo.bar.value12").
    #expect(id == "e534b6b2-006e-5f61-93c0-b00ae7535155")
  }
}
