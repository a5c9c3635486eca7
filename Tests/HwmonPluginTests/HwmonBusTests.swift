import Foundation
import HwmonPlugin
import SynseSDK
import Testing

/// Chips on every bus libsensors names (Tests/Fixtures/sysfs/buses, written by
/// scripts/make-bus-fixtures.py): lm-sensors names, and IDs that survive a reboot which
/// renumbers every kernel instance counter (boot2).
@Suite struct HwmonBusTests {
  let boot1 = fixtures.appendingPathComponent("buses/boot1").path
  let boot2 = fixtures.appendingPathComponent("buses/boot2").path

  /// lm-sensors name → stable key, for boot1. The counters of boot2 differ; the keys must not.
  static let expected: [String: String] = [
    "lm75-i2c-1-48": "devices/pci0000:00/0000:00:1f.4/i2c-[0]/-0048/lm75",
    "tmp102-i2c-2-48": "devices/pci0000:00/0000:00:1f.4/i2c-[1]/-0048/tmp102",
    "nct6798-isa-0290": "devices/platform/nct6775.656/nct6798",
    "coretemp-isa-0000": "devices/platform/coretemp.0/coretemp",
    "k10temp-pci-00c3": "devices/pci0000:00/0000:00:18.3/k10temp",
    "lm70-spi-0-1": "devices/platform/soc/fe204000.spi/spi_master/spi[0]/spi.1/lm70",
    "vsensor-virtual-0": "devices/virtual/hwmon/hwmon/vsensor",
    "power_meter-acpi-0": "devices/LNXSYSTM:00/LNXSYBUS:00/ACPI000D:00/power_meter",
    "acpitz-acpi-0": "devices/virtual/thermal/thermal_zone[acpitz]/acpitz",
    "corsaircpro-hid-3-7": "devices/pci0000:00/0000:00:14.0/usb[0]/-2/-2:1.0/0003:1B1C:0C10/corsaircpro",
    "mv88x3310-mdio-1": "devices/platform/soc/fe300000.ethernet/mdio_bus/mdio[0]/:01/mv88x3310",
    "drivetemp-scsi-0-0": "devices/pci0000:00/0000:00:17.0/ata[0]/host[0]/target:0:0/:0:0:0/drivetemp",
    "drivetemp-scsi-2-0": "devices/pci0000:00/0000:00:17.0/ata[2]/host[0]/target:0:0/:0:0:0/drivetemp",
    "ucsi_source_psy_USBC000:001-isa-0000":
      "devices/platform/USBC000:00/power_supply/ucsi-source-psy-USBC000:001/ucsi_source_psy_USBC000:001",
    "nvme-pci-3d00": "devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme[0]/nvme",
    "gpio_fan-isa-0000": "devices/platform/gpio-fan.auto[0]/gpio_fan",
  ]

  @Test func chipsAreNamedByLibsensorsRulesForEveryBus() throws {
    let chips = HwmonScanner(root: boot1).chips()
    #expect(Dictionary(uniqueKeysWithValues: chips.map { ($0.displayName, $0.key) }) == Self.expected)
    let subsystems = Dictionary(uniqueKeysWithValues: chips.map { ($0.displayName, $0.subsystem ?? "-") })
    #expect(subsystems["drivetemp-scsi-0-0"] == "scsi" && subsystems["corsaircpro-hid-3-7"] == "hid")
    #expect(subsystems["mv88x3310-mdio-1"] == "mdio_bus" && subsystems["lm70-spi-0-1"] == "spi")
    #expect(subsystems["ucsi_source_psy_USBC000:001-isa-0000"] == "power_supply" && subsystems["vsensor-virtual-0"] == "-")
  }

  @Test func twoSataDisksAreTwoChipsWithTheirOwnTagsInfoAndIDs() throws {
    let devices = try runtime(root: boot1).devices.devices.filter { $0.context["chip"]?.hasPrefix("drivetemp") == true }
    #expect(devices.count == 2)
    #expect(Set(devices.map(\.id)).count == 2)
    #expect(Set(devices.map(\.info)) == ["drivetemp-scsi-0-0 temp1", "drivetemp-scsi-2-0 temp1"])
    #expect(Set(devices.flatMap { $0.tags.map(\.description) }.filter { $0.hasPrefix("hwmon/") })
      == ["hwmon/chip:drivetemp-scsi-0-0", "hwmon/chip:drivetemp-scsi-2-0"])
    #expect(Set(devices.compactMap { $0.context["subsystem"] }) == ["scsi"])
  }

  /// boot2 renumbers hwmonN, i2c adapters, the SPI controller, USB buses, the HID instance, the
  /// MDIO bus id, libata ports and SCSI hosts, the nvme controller, thermal zones and a
  /// platform auto id: every chip keeps its key, every device its ID.
  @Test func aRebootThatRenumbersEveryBusKeepsEveryKeyAndID() throws {
    let first = Dictionary(uniqueKeysWithValues: HwmonScanner(root: boot1).chips().map { ($0.key, $0.displayName) })
    let second = Dictionary(uniqueKeysWithValues: HwmonScanner(root: boot2).chips().map { ($0.key, $0.displayName) })
    for (name, key) in Self.expected.sorted(by: { $0.key < $1.key }) {
      #expect(second[key] != nil, "\(name): key \(key) is gone after the reboot; boot2 keys: \(second.keys.sorted())")
    }
    #expect(Set(first.keys) == Set(second.keys))
    // lm-sensors names keep the counters, as `sensors` prints them.
    #expect(second["devices/pci0000:00/0000:00:17.0/ata[2]/host[0]/target:0:0/:0:0:0/drivetemp"] == "drivetemp-scsi-8-0")
    let ids1 = try runtime(root: boot1).devices.devices.map(\.id)
    let ids2 = try runtime(root: boot2).devices.devices.map(\.id)
    #expect(ids1.count == 20 && Set(ids1) == Set(ids2))
  }

  /// A limit of 0 is real on most chips (a disk's 0 °C minimum) and "unset" on Super-I/O chips;
  /// absolute zero and 0xFFFF K are "no limit" on any temperature.
  @Test func sentinelsAreToldApartFromRealLimitsByFileAndChip() throws {
    let devices = try runtime(root: boot1).devices.devices
    let disk = try #require(devices.first { $0.context["chip"] == "drivetemp-scsi-0-0" })
    #expect(disk.context["min"] == "0" && disk.context["lcrit"] == "-40" && disk.context["max"] == "70" && disk.context["crit"] == "80")
    let superIO = try #require(devices.first { $0.context["chip"] == "nct6798-isa-0290" && $0.context["channel"] == "in4" })
    #expect(superIO.context["min"] == nil && superIO.context["max"] == nil)
    let auxtin = try #require(devices.first { $0.context["chip"] == "nct6798-isa-0290" && $0.context["channel"] == "temp3" })
    #expect(auxtin.context["max"] == nil)
    let nvme = try #require(devices.first { $0.context["chip"] == "nvme-pci-3d00" })
    #expect(nvme.context["min"] == nil && nvme.context["max"] == "84.85")
  }

  /// HWMON_SYSFS_ROOT written relative to the working directory, or through a symlink, keys
  /// devices exactly as the absolute path does (the root is canonicalised at startup).
  @Test func aRelativeOrLinkedRootGivesTheSameIDs() throws {
    let absolute = fixtures.appendingPathComponent("server").path
    let relative = relativePath(from: FileManager.default.currentDirectoryPath, to: absolute)
    #expect(!relative.hasPrefix("/"))
    let linked = FileManager.default.temporaryDirectory.appendingPathComponent("hwmon-link-\(UUID().uuidString)").path
    try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: absolute)
    defer { try? FileManager.default.removeItem(atPath: linked) }
    let ids = Set(try runtime(root: absolute).devices.devices.map(\.id))
    #expect(ids.count == 64)
    #expect(Set(try runtime(root: relative).devices.devices.map(\.id)) == ids)
    #expect(Set(try runtime(root: "./" + relative + "/").devices.devices.map(\.id)) == ids)
    #expect(Set(try runtime(root: linked).devices.devices.map(\.id)) == ids)
    #expect(HwmonScanner(root: relative).chips().allSatisfy { !$0.key.contains("Fixtures") })
  }
}

/// `../..`-style path from directory `from` to `to` (both absolute).
func relativePath(from: String, to: String) -> String {
  let base = URL(fileURLWithPath: from).standardizedFileURL.pathComponents
  let target = URL(fileURLWithPath: to).standardizedFileURL.pathComponents
  var common = 0
  while common < min(base.count, target.count), base[common] == target[common] { common += 1 }
  let ups = Array(repeating: "..", count: base.count - common)
  let parts = ups + target[common...]
  return parts.isEmpty ? "." : parts.joined(separator: "/")
}
