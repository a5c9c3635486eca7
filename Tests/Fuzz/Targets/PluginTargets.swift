import Foundation
@testable import HwmonPlugin
@testable import SynseSDK

extension FuzzTarget {
  /// A plugin's device config file (docs/plugin-protocol.md §3.2.3), read and built into
  /// devices, its Go-template actions (`{{ env "X" }}`, `{{ .Meta.Tag }}`) rendered.
  static let deviceConfig = FuzzTarget { bytes in
    let path = FuzzFiles.write(bytes, name: "devices.yaml")
    let loader = ConfigLoader(environment: ["FUZZ": "value"], workingDirectory: FuzzFiles.directory)
    guard let config = try? loader.loadDeviceConfig(files: [path]) else { return }
    let handlers = Dictionary(uniqueKeysWithValues: ["temperature", "led", "fan", "power", "humidity", "lock", "airflow", "pressure"].map {
      ($0, DeviceHandler(name: $0))
    })
    let builder = DeviceBuilder(
      pluginID: "fuzz", pluginTag: "vaporio/fuzz", pluginName: "fuzz", handlers: handlers,
      outputs: Dictionary(Output.builtIn.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }),
      transforms: [:], environment: ["FUZZ": "value"], identifier: { "\($0)" })
    _ = try? builder.build(config)
  }

  /// What the hwmon plugin reads from sysfs (docs/hwmon.md): attribute file names, chip and
  /// channel labels, values and limits. The input is a file name, a NUL, then the text every
  /// file of the channel reads as.
  static let hwmon = FuzzTarget { bytes in
    let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
    let name = String(decoding: parts.first ?? [], as: UTF8.self)
    let text = String(decoding: parts.count > 1 ? parts[1] : [], as: UTF8.self)
    _ = HwmonScanner.parse(name)
    _ = SysfsText.tagLabel(text)
    _ = SysfsText.label(text)
    _ = SysfsText.contextValue(text)
    _ = ChipName.pciAddress(text)
    _ = HwmonSensors.modeName(text)
    _ = try? HwmonControl.integer(text, in: 0...255, what: "fuzz")
    let chip = HwmonChip(
      name: SysfsText.tagLabel(name), hwmon: "hwmon0", attributeDirectory: "/fuzz", parent: nil, key: "fuzz", displayName: "fuzz-isa-0000",
      driver: nil, subsystem: nil)
    let files = FixedFiles(text: text.trimmingCharacters(in: .whitespacesAndNewlines))
    for family in HwmonFamily.allCases {
      let items: Set<String> = ["input", "min", "max", "crit", "lcrit", "max_hyst", "crit_hyst", "emergency", "label", "fault", "alarm"]
      let channel = HwmonChannel(chip: chip, family: family, index: 1, items: items, label: SysfsText.label(text))
      _ = HwmonLimits.kernel(channel, files: files)
      _ = HwmonPlugin.thresholds(channel, files: files)
    }
  }
}

/// Sysfs where every file reads as the same text.
struct FixedFiles: SysfsFiles {
  let text: String
  func read(_ path: String) throws(SysfsError) -> String { text }
  func write(_ path: String, _ value: String) throws(SysfsError) {}
}
