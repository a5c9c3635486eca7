import Foundation
import Logging
import SynseProtocol
import SynseSupport
import Testing
@testable import SynseSDK

/// The device config `thresholds:` section (docs/health.md, "Declaring thresholds in a
/// plugin"): parsed by SynseSupport's decoder, sent as the device metadata key
/// `synse.thresholds`, and refused with one error naming the file and the key.
struct DeviceConfigThresholdsTests {
  func build(_ yaml: String, prototypes: [DeviceConfig.Prototype] = []) throws -> [Device] {
    var plugin = Plugin(metadata: .init(name: "test plugin", maintainer: "tester"), version: .init(pluginVersion: "1"))
    plugin.register(handler: DeviceHandler(name: "temperature", read: { _ in [] }))
    var config = try DeviceConfig(tree: YAMLReader.parse(yaml, file: "t.yaml"), file: "t.yaml")
    config.devices += prototypes
    var pluginConfig = PluginConfig.fast
    pluginConfig.network = nil
    return try plugin.build(config: pluginConfig, deviceConfig: config, environment: [:], logger: .init(label: "t")).devices.devices
  }

  @Test func sectionsBecomeDeviceMetadataInstanceWinningPerSelector() throws {
    let devices = try build("""
      devices:
        - type: temperature
          context:
            model: m1
            synse.thresholds: '{"humidity": {"UpperCaution": {"Reading": 70}}, "temperature": {"UpperFatal": {"Reading": 120}}}'
          thresholds:
            temperature: {UpperCaution: {Reading: 80}, UpperCritical: {Reading: 95}}
            "voltage[rail=12v]": {LowerCritical: {Reading: 11.4}, UpperCritical: {Reading: 12.6}}
          instances:
            - info: hot
              data: {id: 1}
              thresholds:
                temperature:
                  UpperCaution: {Reading: 60, Activation: Increasing, DwellTime: PT5S}
                  HysteresisReading: 2
                  HysteresisDuration: PT1M30S
            - info: plain
              data: {id: 2}
              disableInheritance: true
              type: temperature
      """)
    let hot = try #require(devices.first { $0.info == "hot" })
    let expected: [ReadingSelector: Thresholds] = [
      ReadingSelector(readingType: "temperature"): Thresholds(
        upperCaution: Threshold(reading: 60, activation: .increasing, dwellTime: .seconds(5)),
        hysteresisReading: 2, hysteresisDuration: .seconds(90)),
      ReadingSelector(readingType: "voltage", context: ["rail": "12v"]): Thresholds(
        lowerCritical: Threshold(reading: 11.4), upperCritical: Threshold(reading: 12.6)),
      ReadingSelector(readingType: "humidity"): Thresholds(upperCaution: Threshold(reading: 70)),
    ]
    #expect(hot.thresholds == expected)
    // The wire form: the metadata carries the canonical JSON; readings' context does not.
    let metadata = hot.message(pluginID: "p", handler: nil, currentReadings: []).metadata
    #expect(metadata[ThresholdsMetadata.key] == ThresholdsMetadata.encode(expected))
    #expect(try ThresholdsMetadata.parse(#require(metadata[ThresholdsMetadata.key])) == expected)
    #expect(metadata["model"] == "m1" && hot.context[ThresholdsMetadata.key] == nil)
    let plain = try #require(devices.first { $0.info == "plain" })
    #expect(plain.thresholds.isEmpty && plain.metadata[ThresholdsMetadata.key] == nil)
  }

  /// Each kind of bad input: the one-line error names the file and the key down to the value.
  @Test(arguments: [
    ("thresholds: {temperature: {UpperCritcal: {Reading: 95}}}", "thresholds.temperature.UpperCritcal", "unknown key"),
    ("thresholds: {temperature: {UpperCaution: {Reading: 90}, UpperCritical: {Reading: 80}}}",
     "thresholds.temperature.UpperCritical", "80 is below temperature.UpperCaution (90)"),
    ("thresholds: {temperature: {LowerCaution: {Reading: 50}, UpperCaution: {Reading: 40}}}",
     "thresholds.temperature.UpperCaution", "40 is below temperature.LowerCaution (50)"),
    ("thresholds: {temperature: {UpperCaution: {Reading: hot}}}", "thresholds.temperature.UpperCaution.Reading", "expected a number"),
    ("thresholds: {temperature: {UpperCaution: {Reading: '80'}}}", "thresholds.temperature.UpperCaution.Reading", "expected a number"),
    ("thresholds: {temperature: {UpperCaution: {Reading: .nan}}}", "thresholds.temperature.UpperCaution.Reading", "finite"),
    ("thresholds: {temperature: {UpperCaution: {Reading: 80, DwellTime: 5s}}}",
     "thresholds.temperature.UpperCaution.DwellTime", "'5s' is not an ISO 8601 duration"),
    ("thresholds: {temperature: {UpperCaution: {Reading: 80, DwellTime: -PT5S}}}", "thresholds.temperature.UpperCaution.DwellTime", "negative"),
    ("thresholds: {temperature: {UpperCaution: {Reading: 80, Activation: Up}}}", "thresholds.temperature.UpperCaution.Activation", "Increasing"),
    ("thresholds: {temperature: {HysteresisDuration: 10}}", "thresholds.temperature.HysteresisDuration", "expected a string"),
    ("thresholds: {'temperature[zone': {UpperCaution: {Reading: 80}}}", "thresholds.temperature[zone", "not a reading selector"),
    ("thresholds: [temperature]", "thresholds", "expected a mapping"),
    ("thresholds: {'v[a=1,b=2]': {}, 'v[b=2,a=1]': {}}", "thresholds.v[", "names the same reading as another key"),
    ("context: {synse.thresholds: '{\"temperature\": {\"UpperCaution\": {\"Reading\": \"x\"}}}'}",
     "context.synse.thresholds.temperature.UpperCaution.Reading", "expected a number"),
  ])
  func badInstanceThresholdsNameFileAndKey(yaml: String, key: String, message: String) throws {
    let error = try #require(throws: ConfigError.self) {
      try build("devices:\n  - type: temperature\n    instances:\n      - data: {id: 1}\n        \(yaml)\n")
    }
    #expect(error.code == .invalidValue && error.file == "t.yaml")
    // Of one selector written two ways, either spelling may be the one named.
    let full = "devices[0].instances[0].\(key)"
    #expect(key.hasSuffix("[") ? error.key?.hasPrefix(full) == true : error.key == full, "\(error)")
    #expect(error.message.contains(message), "\(error)")
    #expect(!error.description.contains("\n"))
  }

  @Test func badPrototypeThresholdsNameTheirKey() throws {
    let error = try #require(throws: ConfigError.self) {
      try build("devices:\n  - type: temperature\n    thresholds: {temperature: {LowerCaution: {Reading: 5, Activation: Down}}}\n")
    }
    #expect(error.file == "t.yaml" && error.key == "devices[0].thresholds.temperature.LowerCaution.Activation")
  }

  /// A dynamic registrar's prototypes skip the file parser: the builder checks a hand-written
  /// key and names the device's place and the key.
  @Test func handWrittenMetadataFromCodeIsCheckedWhenBuilt() throws {
    var prototype = DeviceConfig.Prototype()
    prototype.type = "temperature"
    var instance = DeviceConfig.Instance()
    instance.data = .map([("id", .int(7))])
    instance.location = "registrar item 0"
    instance.context = [(ThresholdsMetadata.key, #"{"temperature": {"UpperCaution": {"Reading": 90}, "UpperCritical": {"Reading": 10}}}"#)]
    prototype.instances = [instance]
    let error = try #require(throws: ConfigError.self) { try build("devices: []", prototypes: [prototype]) }
    #expect(error.code == .invalidDevice)
    #expect(error.message.contains("registrar item 0: context.synse.thresholds.temperature.UpperCritical: 10 is below"), "\(error)")
  }
}
