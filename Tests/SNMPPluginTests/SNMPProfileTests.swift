import Foundation
import SynseSDK
import Testing

@testable import SNMPPlugin

let outputs = Plugin(metadata: PluginMetadata(name: "t", maintainer: "t"), version: PluginVersion(pluginVersion: "0")).outputs

@Suite struct SNMPProfileTests {
  static let profiles = SNMPSimPeer.repository.appendingPathComponent("plugins/snmp/config/profiles")

  @Test func theEmbeddedProfilesAreTheShippedFiles() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.profiles.path).filter { $0.hasSuffix(".yaml") }.sorted()
    #expect(ShippedProfiles.files.map(\.file) == files, "run scripts/generate-snmp-profiles.py")
    for (file, yaml) in ShippedProfiles.files {
      let text = try String(contentsOf: Self.profiles.appendingPathComponent(file), encoding: .utf8)
      #expect(yaml == text.trimmingCharacters(in: .newlines), "\(file): run scripts/generate-snmp-profiles.py")
    }
  }

  @Test func theShippedProfilesLoad() throws {
    let library = try SNMPProfileLibrary.load(directory: nil, outputs: outputs)
    #expect(library.profiles.keys.sorted() == ["apc-rpdu2", "entity-sensor", "geist", "ups-mib"])
    #expect(library.matching(sysObjectID: OID("1.3.6.1.4.1.318.1.3.4.6")!)?.name == "apc-rpdu2")
    #expect(library.matching(sysObjectID: OID("1.3.6.1.4.1.705.1")!)?.name == "ups-mib")
    #expect(library.matching(sysObjectID: OID("1.3.6.1.4.1.9.1.1")!) == nil)
  }

  @Test(arguments: [
    ("name: x\ndevices: [{key: a, type: t, output: voltage, value: 1.3.6.1.2.1.1.0, scal: 2}]", "devices[0].scal"),
    ("name: x\ndevices: [{key: a, type: t, output: volts, value: 1.3.6.1.2.1.1.0}]", "devices[0].output"),
    ("name: x\ndevices: [{key: a, type: t, output: voltage, value: 1.3.x.1}]", "devices[0].value"),
    ("name: x\ndevices: [{key: a, type: t, output: voltage, value: 1.3.6}, {key: a, type: t, output: voltage, value: 1.3.7}]", "devices[1].key"),
    ("name: x\ndevices: [{key: a, type: t, output: voltage, value: 1.3.6, thresholds: {UpperCritcal: {reading: 3}}}]", "devices[0].thresholds.UpperCritcal"),
    ("name: x\ndevices: [{key: a, type: t, output: voltage, value: 1.3.6, scale: 0}]", "devices[0].scale"),
    ("name: x\nsysObjectID: 1.3.6\ndevices: [{key: a, type: t, output: voltage, value: 1.3.6}]", "sysObjectID"),
    ("name: x\ndevices: []", "devices"),
    ("nmae: x", "nmae"),
    ("name: x\ndevices: [{key: a, type: t, output: voltage, value: 1.3.6, info: '{label} {nope}'}]", "devices[0].info"),
    ("name: x\ndevices: [{key: a, type: t, output: state, value: 1.3.6, states: {1: a, 01: b}}]", "devices[0].states"),
    ("name: x\ndevices: [{key: a, type: t, output: voltage, value: 1.3.6, thresholds: {UpperCritical: {reading: 3, oid: 1.3.6}}}]", "devices[0].thresholds.UpperCritical"),
    ("name: x\ndevices: [{key: a, type: t, output: state, value: 1.3.6, write: {oid: 1.3.6, values: {On: 1, on: 2}}}]", "devices[0].write.values"),
    ("name: x\ndevices: [{key: a, type: t, output: state, value: 1.3.6, write: {oid: 1.3.6, values: {On: 1}, confirm: {Of: Off}}}]", "devices[0].write.confirm"),
  ])
  func aBadProfileNamesTheKey(yaml: String, key: String) throws {
    let error = try #require(throws: ConfigError.self) { try SNMPProfileParser.parse(yaml, file: "p.yaml", outputs: outputs) }
    #expect(error.key == key, "\(error)")
    #expect(error.file == "p.yaml")
  }

  @Test func aDirectoryProfileReplacesTheShippedOneOfItsName() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snmp-profiles-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try "name: geist\ndevices: [{key: only, type: temperature, output: temperature, value: 1.3.6.1.4.1.21239.5.1.2.1.5.1, scale: 0.1}]\n"
      .write(to: directory.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
    let library = try SNMPProfileLibrary.load(directory: directory.path, outputs: outputs)
    #expect(library.profiles["geist"]?.devices.map { $0.key } == ["only"])
    #expect(library.profiles.count == 4)
    try "name: geist\ndevices: [{key: b, type: t, output: nope, value: 1.3.6}]\n".write(to: directory.appendingPathComponent("other.yaml"), atomically: true, encoding: .utf8)
    let error = try #require(throws: ConfigError.self) { try SNMPProfileLibrary.load(directory: directory.path, outputs: outputs) }
    #expect(error.file?.hasSuffix("other.yaml") == true, "\(error)")
  }

  @Test func oidsAreDottedDecimalAndIndexesMayBeOneNumber() {
    #expect(OID(".1.3.6.1.2.1.1.2.0")?.parts == [1, 3, 6, 1, 2, 1, 1, 2, 0])
    for bad in ["", "1", "1..3", "1.3.x", "1.3.4294967296", "1.3.-1", " 1.3"] { #expect(OID(bad) == nil, "\(bad)") }
    #expect(OID(index: "5")?.parts == [5])
    #expect(OID("1.3.6.1.2.1.2.2.1.2.10")?.suffix(after: OID("1.3.6.1.2.1.2.2.1.2")!) == OID(index: "10"))
    #expect(OID("1.3.6.2")! > OID("1.3.6.1.9")!)
  }

  @Test func scalesOfTenthsAreExact() {
    #expect(ProfileReader.scaled(38, by: 0.1) == 3.8)
    #expect(ProfileReader.scaled(121, by: 10) == 1210)
    #expect(ProfileReader.scaled(7, by: 0.01) == 0.07)
    #expect(ProfileReader.scaled(3, by: 2.5) == 7.5)
  }

  @Test func entitySensorScaleAndPrecisionFollowRFC3433() {
    func row(type: Int64, scale: Int64, precision: Int64, status: Int64 = 1) -> EntitySensor? {
      let entry = OID("1.3.6.1.2.1.99.1.1.1")!, index = OID([7])
      let columns: [OID: [OID: SNMPValue]] = [
        entry.appending(OID([1])): [index: .integer(type)], entry.appending(OID([2])): [index: .integer(scale)],
        entry.appending(OID([3])): [index: .integer(precision)], entry.appending(OID([5])): [index: .integer(status)],
      ]
      let values = ProfileReader.Values(scalars: [:], columns: columns)
      return EntitySensor(values: values, entry: entry, index: index)
    }
    // milli (8), precision 1: 12345 → 1.2345 V.
    #expect(row(type: 4, scale: 8, precision: 1)?.value(raw: 12345) == .number(1.2345))
    #expect(row(type: 4, scale: 8, precision: 1)?.type == "voltage")
    // kilo (10), precision 0: 3 → 3000 W.
    #expect(row(type: 6, scale: 10, precision: 0)?.value(raw: 3) == .number(3000))
    #expect(row(type: 12, scale: 9, precision: 0)?.value(raw: 1) == .text("true"))
    #expect(row(type: 11, scale: 9, precision: 0) == nil)
    #expect(row(type: 8, scale: 9, precision: 0, status: 2)?.operational == false)
  }
}
