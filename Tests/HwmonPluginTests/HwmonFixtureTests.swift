import Foundation
import HwmonPlugin
import Logging
import SynseSDK
import Testing

/// The fixture trees of ../shared/fixtures/sysfs, copied into Tests/Fixtures with their symlinks.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/sysfs")
let quiet = Logger(label: "hwmon-tests", factory: { _ in SwiftLogNoOpLogHandler() })

func channels(_ root: String) -> [HwmonChannel] {
  let scanner = HwmonScanner(root: root)
  return scanner.chips().flatMap(scanner.channels(of:))
}

func runtime(root: String, files: any SysfsFiles = PosixSysfsFiles()) throws -> PluginRuntime {
  let hwmon = HwmonPlugin(files: files, environment: ["HWMON_SYSFS_ROOT": root], logger: quiet)
  var config = PluginConfig()
  config.network = .init(type: .tcp, address: "127.0.0.1:0")
  return try hwmon.plugin.build(config: config, deviceConfig: DeviceConfig(devices: []), environment: [:], logger: quiet)
}

/// A copy of a fixture tree in a temporary directory, for writes and renumbering.
func copyOfTree(_ name: String) throws -> String {
  let target = FileManager.default.temporaryDirectory.appendingPathComponent("hwmon-\(UUID().uuidString)")
  try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: target)
  return target.path
}

@Suite struct HwmonDiscoveryTests {
  @Test func serverTreeHasTwelveChipsAndSixtyFourChannels() throws {
    let root = fixtures.appendingPathComponent("server").path
    let chips = HwmonScanner(root: root).chips()
    #expect(chips.count == 12)
    #expect(Set(chips.map(\.displayName)) == [
      "acpitz-acpi-0", "nvme-pci-3d00", "power_meter-acpi-0", "coretemp-isa-0000", "coretemp-isa-0001", "nct6798-isa-0a20",
      "amdgpu-pci-8300", "i915-pci-0300", "ina226-i2c-1-40", "sht3x-i2c-1-44", "adm1032-i2c-1-4c", "nvme-pci-3e00",
    ])
    let all = channels(root)
    #expect(all.count == 64)
    #expect(Set(all.map(\.key)).count == 64)
    let coretemp = all.filter { $0.chip.displayName == "coretemp-isa-0000" && $0.family == .temp }
    #expect(coretemp.map(\.index).sorted() == [1, 2, 3, 4, 5, 10, 11])
    #expect(coretemp.first { $0.index == 1 }?.key == "devices/platform/coretemp.0/coretemp/temp1")
    #expect(coretemp.first { $0.index == 1 }?.label == "Package id 0")
    let legacy = try #require(all.first { $0.chip.name == "power_meter" })
    #expect(legacy.chip.attributeDirectory.hasSuffix("ACPI000D:00"))
    #expect(all.first { $0.chip.name == "nct6798" && $0.family == .in }?.index == 0)
    #expect(all.filter { $0.chip.name == "nct6798" && $0.family == .intrusion }.map(\.index).sorted() == [0, 1])
  }

  @Test func nodeExporterTreeKeepsSameNamedChipsApart() throws {
    let root = fixtures.appendingPathComponent("node-exporter").path
    let all = channels(root)
    #expect(all.count == 27)
    #expect(Set(all.map(\.key)).count == 27)
    let coretemps = Set(all.filter { $0.chip.name == "coretemp" }.map(\.chip.key))
    #expect(coretemps == ["devices/platform/coretemp.0/coretemp", "devices/platform/coretemp.1/coretemp"])
    let phy = Set(all.filter { $0.chip.name.hasPrefix("mt7996") }.map(\.chip.key))
    #expect(phy.count == 3)
    #expect(all.first { $0.chip.name == "applesmc" }?.label == "Left side")
    #expect(all.first { $0.chip.name == "nct6779" }?.chip.displayName == "nct6779-virtual-0")
    #expect(!all.contains { $0.chip.name == "bogus" })
    // The nameless chip is kept (27 channels) but can only be keyed by its own path.
    #expect(all.filter { $0.chip.name == "unnamed" }.count == 4)
  }

  @Test func renumberingHwmonDirectoriesKeepsEveryDeviceID() throws {
    let original = try runtime(root: fixtures.appendingPathComponent("server").path)
    let copy = try copyOfTree("server")
    // A reboot that probes in another order: hwmonN → hwmon(11-N), links and all.
    let classDirectory = "\(copy)/class/hwmon"
    let entries = try FileManager.default.contentsOfDirectory(atPath: classDirectory)
    var targets: [String: String] = [:]
    for entry in entries {
      targets[entry] = try FileManager.default.destinationOfSymbolicLink(atPath: "\(classDirectory)/\(entry)")
      try FileManager.default.removeItem(atPath: "\(classDirectory)/\(entry)")
    }
    for (entry, target) in targets {
      let number = 11 - Int(entry.dropFirst(5))!
      let renamedTarget = (target as NSString).deletingLastPathComponent + "/hwmon\(number)"
      try FileManager.default.moveItem(atPath: "\(classDirectory)/\(target)", toPath: "\(classDirectory)/\(renamedTarget).moved")
      try FileManager.default.createSymbolicLink(atPath: "\(classDirectory)/hwmon\(number)", withDestinationPath: renamedTarget)
    }
    for (entry, target) in targets {
      let number = 11 - Int(entry.dropFirst(5))!
      let renamedTarget = (target as NSString).deletingLastPathComponent + "/hwmon\(number)"
      try FileManager.default.moveItem(atPath: "\(classDirectory)/\(renamedTarget).moved", toPath: "\(classDirectory)/\(renamedTarget)")
    }
    let renumbered = try runtime(root: copy)
    #expect(renumbered.devices.devices.count == 64)
    #expect(Set(renumbered.devices.devices.map(\.id)) == Set(original.devices.devices.map(\.id)))
    let hwmonOfPackage0 = HwmonScanner(root: copy).chips().first { $0.displayName == "coretemp-isa-0000" }?.hwmon
    #expect(hwmonOfPackage0 == "hwmon8")
  }

  @Test func filtersExcludeChipsAndChannels() throws {
    var settings = try HwmonSettings(.map([
      ("exclude", .list([.string("amdgpu-.*"), .string("coretemp-isa-0001;temp1.*"), .string("nvme;Sensor 8")])),
    ]), environment: [:])
    let all = channels(fixtures.appendingPathComponent("server").path)
    let kept = all.filter(settings.admits)
    #expect(!kept.contains { $0.chip.name == "amdgpu" })
    #expect(kept.filter { $0.chip.displayName == "coretemp-isa-0001" }.map(\.index).sorted() == [2, 3, 4, 5])
    #expect(!kept.contains { $0.label == "Sensor 8" })
    #expect(kept.count == 64 - 9 - 3 - 1)
    settings = try HwmonSettings(.map([("include", .list([.string("coretemp")]))]), environment: [:])
    #expect(all.filter(settings.admits).count == 14)
    #expect(throws: (any Error).self) { try HwmonSettings(.map([("include", .list([.string("(")]))]), environment: [:]) }
  }
}
