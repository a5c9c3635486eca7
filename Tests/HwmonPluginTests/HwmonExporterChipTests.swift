import Foundation
import HwmonPlugin
import Testing

/// node_exporter's `chip` label (``HwmonChip/exporterChip``): its rules on its own fixture tree,
/// and chips it would name alike kept apart (issue 21).
@Suite struct HwmonExporterChipTests {
  @Test func node_exporter_names_of_its_fixture_tree() {
    let chips = HwmonScanner(root: fixtures.appendingPathComponent("node-exporter").path).chips()
    let names = Dictionary(chips.map { ($0.hwmon, $0.exporterChip) }, uniquingKeysWith: { first, _ in first })
    #expect(names["hwmon0"] == "platform_coretemp_0")  // the device path wins over `name`
    #expect(names["hwmon2"] == "platform_applesmc_768")  // legacy: attributes in the device directory
    #expect(names["hwmon3"] == "nct6779")  // no device link: the name file
    #expect(names["hwmon4"] == "hwmon4")  // neither: the directory
    #expect(names["hwmon8"] == "ieee80211_phy0_mt7996_phy0_0")  // three chips on one parent
    #expect(names["hwmon6"] == "platform_asus_nb_wmi_asus")
    #expect(Set(chips.map(\.exporterChip)).count == chips.count)
    #expect(chips.first { $0.hwmon == "hwmon2" }?.exporterChipName == nil)  // no `name` in its hwmon directory
    #expect(chips.first { $0.hwmon == "hwmon0" }?.exporterChipName == "coretemp")
  }

  @Test func chips_alike_in_parent_and_name_get_a_rank() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("exporter-chip-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let parent = root.appendingPathComponent("devices/platform/board.0")
    for index in 0..<2 {
      let directory = parent.appendingPathComponent("hwmon/hwmon\(index)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try "Board Temp\n".write(to: directory.appendingPathComponent("name"), atomically: true, encoding: .utf8)
      try "40000\n".write(to: directory.appendingPathComponent("temp1_input"), atomically: true, encoding: .utf8)
      try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("device").path, withDestinationPath: "../..")
      try FileManager.default.createDirectory(at: root.appendingPathComponent("class/hwmon"), withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(
        atPath: root.appendingPathComponent("class/hwmon/hwmon\(index)").path,
        withDestinationPath: "../../devices/platform/board.0/hwmon/hwmon\(index)")
    }
    let chips = HwmonScanner(root: root.path).chips()
    #expect(chips.map(\.exporterChip).sorted() == ["platform_board_0_board_temp_0", "platform_board_0_board_temp_1"])
    #expect(chips.map(\.exporterChipName) == ["board_temp", "board_temp"])
  }
}
