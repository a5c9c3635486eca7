import Logging
import Testing
@testable import SynseSDK

struct DeviceBuilderTests {
  func build(_ yaml: String, environment: [String: String] = [:]) throws -> [Device] {
    var plugin = Plugin(metadata: .init(name: "test plugin", maintainer: "tester"), version: .init(pluginVersion: "1"))
    plugin.register(handler: DeviceHandler(name: "temperature", read: { _ in [] }))
    plugin.register(handler: DeviceHandler(name: "custom", write: { _, _ in }))
    let config = try DeviceConfig(tree: YAMLReader.parse(yaml, file: "t.yaml"), file: "t.yaml")
    var pluginConfig = PluginConfig.fast
    pluginConfig.network = nil
    return try plugin.build(config: pluginConfig, deviceConfig: config, environment: environment, logger: .init(label: "t")).devices.devices
  }

  @Test func prototypeAndInstanceMerge() throws {
    let devices = try build("""
      version: 3
      devices:
        - type: temperature
          tags: [zone/rack:1, shared]
          context: {model: m1, room: a}
          data: {bus: 1, addr: 2}
          writeTimeout: 5s
          transforms: [{scale: "2"}]
          instances:
            - info: Sensor
              tags: [foo/bar, shared]
              context: {room: b, enabled: true}
              data: {addr: 3}
              sortIndex: 4
              alias: {template: '{{ .Meta.Tag }}-{{ ctx "room" }}'}
              transforms: [{apply: FtoC}]
            - info: Plain
              disableInheritance: true
              type: temperature
              handler: custom
      """)
    #expect(devices.count == 2)
    let sensor = devices[0]
    #expect(sensor.tags.map(\.description) == ["zone/rack:1", "default/shared", "foo/bar", "system/id:\(sensor.id)", "system/type:temperature"])
    #expect(sensor.context == ["model": "m1", "room": "b", "enabled": "1"])
    #expect(sensor.alias == "tester/test-plugin-b")
    #expect(sensor.writeTimeout == .seconds(5))
    #expect(sensor.transforms.map(\.name) == ["scale(2)", "FtoC"])
    #expect(sensor.sortIndex == 4)
    #expect(sensor.handler == "temperature")
    let plain = devices[1]
    #expect(plain.context.isEmpty && plain.writeTimeout == .seconds(30) && plain.handler == "custom")
    #expect(plain.tags.count == 2)
    // The data component is "13" (addr 3, bus 1 in key order) for the first device.
    let pluginID = DeviceIdentifier.pluginID(namespaceName: "tester/test-plugin")
    #expect(sensor.id == DeviceIdentifier.deviceID(pluginID: pluginID, type: "temperature", handler: "temperature", component: "31"))
  }

  @Test func everyBadDeviceIsReportedAtOnce() throws {
    let error = try #require(throws: ConfigError.self) {
      try build("""
        devices:
          - type: nosuchhandler
            instances: [{info: a}]
          - type: temperature
            instances: [{info: b, tags: ["bad tag"]}, {info: c, output: nosuchoutput}]
          - instances: [{info: d}]
        """)
    }
    #expect(error.code == .invalidDevice)
    for fragment in ["nosuchhandler", "bad tag", "nosuchoutput", "no type", "devices[0].instances[0]"] {
      #expect(error.message.contains(fragment), "missing \(fragment) in \(error.message)")
    }
  }

  @Test func duplicateIDsAndAliasesAreRejected() throws {
    #expect(throws: ConfigError.self) {
      try build("devices:\n  - type: temperature\n    instances: [{data: {id: 1}}, {data: {id: 1}}]\n")
    }
    #expect(throws: ConfigError.self) {
      try build("devices:\n  - type: temperature\n    instances: [{data: {id: 1}, alias: {name: x}}, {data: {id: 2}, alias: {name: x}}]\n")
    }
  }

  @Test func transformsNeedExactlyOneKey() throws {
    #expect(throws: ConfigError.self) {
      try build("devices:\n  - type: temperature\n    instances: [{transforms: [{scale: '2', apply: FtoC}]}]\n")
    }
  }
}
