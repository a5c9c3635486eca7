import Foundation
import HwmonPlugin
import Logging
import Synchronization
import SynseSDK
import Testing

/// Collects log messages, to check what the plugin warned about.
final class LogCapture: Sendable {
  let lines = Mutex<[String]>([])
  var logger: Logger {
    Logger(label: "hwmon-capture", factory: { _ in Handler(capture: self) })
  }
  struct Handler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
      let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
      capture.lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
    }
  }
}

/// A sysfs tree written by a test: devices with `subsystem`/`driver` links and hwmon chips.
struct TreeBuilder {
  let root = FileManager.default.temporaryDirectory.appendingPathComponent("hwmon-odd-\(UUID().uuidString)").path

  func device(_ path: String, subsystem: String = "platform", driver: String? = nil) throws {
    let directory = "\(root)/\(path)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: "\(root)/bus/\(subsystem)/drivers/\(driver ?? "none")", withIntermediateDirectories: true)
    let up = String(repeating: "../", count: path.split(separator: "/").count)
    try FileManager.default.createSymbolicLink(atPath: "\(directory)/subsystem", withDestinationPath: "\(up)bus/\(subsystem)")
    if let driver {
      try FileManager.default.createSymbolicLink(atPath: "\(directory)/driver", withDestinationPath: "\(up)bus/\(subsystem)/drivers/\(driver)")
    }
  }

  /// hwmonN under `parent` (with the glue directory), its `name` as raw bytes.
  func hwmon(_ number: Int, parent: String, name: [UInt8], attributes: [String: String]) throws {
    let directory = "\(root)/\(parent)/hwmon/hwmon\(number)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: "\(directory)/name", contents: Data(name + [10]))
    for (file, value) in attributes { try (value + "\n").write(toFile: "\(directory)/\(file)", atomically: false, encoding: .utf8) }
    try FileManager.default.createSymbolicLink(atPath: "\(directory)/device", withDestinationPath: "../..")
    try FileManager.default.createDirectory(atPath: "\(root)/class/hwmon", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: "\(root)/class/hwmon/hwmon\(number)", withDestinationPath: "../../\(parent)/hwmon/hwmon\(number)")
  }
}

@Suite struct HwmonOddStringTests {
  /// Strings drivers and firmware have been seen to produce, and worse.
  static let oddStrings: [String] = [
    "ucsi_source_psy_USBC000:001", "  AUXTIN0   ", "", " ", "\n", "a\nb", "tab\there", "a/b", "/", ":", "a:b:c", "x//y", "::",
    "température", "温度センサー", "🌡️", "name with spaces", "comma,separated", "{{", "}}", "{{ env \"HOME\" }}", "{{.Meta.Name}}",
    "quote\"s", "back\\slash", "#1", "%s%n", "\u{0}nul", "\u{7f}", "\u{200B}zero-width", String(repeating: "long-", count: 1000),
  ]

  @Test func everyStringMapsToAValidTag() throws {
    var generator = SeededGenerator(seed: 15)
    let palette = Array("aZ09._-/: \t\n,{}#\"\\é温🌡\u{0}\u{200B}") as [Character]
    let random = (0..<500).map { _ in String((0..<Int.random(in: 0...40, using: &generator)).map { _ in palette.randomElement(using: &generator)! }) }
    for raw in Self.oddStrings + random {
      let label = SysfsText.tagLabel(raw)
      let tag = try Tag(parsing: "hwmon/chip:\(label)")
      #expect(tag.namespace == "hwmon" && tag.annotation == "chip" && tag.label == label, "\(raw.debugDescription)")
      #expect(label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) })
      #expect(SysfsText.tagLabel(label) == label)
      #expect(!SysfsText.contextValue(raw).contains("{{"))
    }
    #expect(SysfsText.tagLabel("ucsi_source_psy_USBC000:001-isa-0000") == "ucsi_source_psy_USBC000_001-isa-0000")
    #expect(SysfsText.tagLabel("nct6798-isa-0a20") == "nct6798-isa-0a20")
    #expect(SysfsText.label("  AUXTIN0   ") == "AUXTIN0" && SysfsText.label(" \n") == nil)
    #expect(SysfsText.label("CPU\u{1B}[31m\nTemp") == "CPU [31m Temp")
    let long = try #require(SysfsText.label(String(repeating: "x", count: 100_000)))
    #expect(long.count == SysfsText.labelLimit && long.hasSuffix("…"))
    #expect(SysfsText.label(String(repeating: "y", count: SysfsText.labelLimit)) == String(repeating: "y", count: SysfsText.labelLimit))
  }

  /// The USB-C laptop of issue 15: the chip with a colon in its name sits next to normal chips;
  /// all of them become devices, the odd one with a mapped tag and its raw name in context.
  @Test func aChipNameWithAColonNoLongerTakesDownTheHost() throws {
    let devices = try runtime(root: fixtures.appendingPathComponent("buses/boot1").path).devices.devices
    #expect(devices.count == 20)
    let ucsi = devices.filter { $0.context["chip"] == "ucsi_source_psy_USBC000:001-isa-0000" }
    #expect(ucsi.count == 2)
    #expect(ucsi.allSatisfy { $0.tags.map(\.description).contains("hwmon/chip:ucsi_source_psy_USBC000_001-isa-0000") })
    #expect(devices.contains { $0.context["chip"] == "coretemp-isa-0000" })
    // Nuvoton's padded label is trimmed, as node_exporter does.
    #expect(devices.contains { $0.context["chip"] == "nct6798-isa-0290" && $0.info == "AUXTIN0" })
  }

  /// Odd names, labels, parent directories and driver names all become devices with valid
  /// tags; the one chip that cannot be represented (its key is a namesake's ranked key) is
  /// skipped with one warning naming it, also across rescans.
  @Test func discoveryTurnsEveryOddStringIntoDevicesOrSkipsOneChip() throws {
    let tree = TreeBuilder()
    var number = 0
    var expectedChannels = 0
    for (index, raw) in Self.oddStrings.enumerated() {
      let parent = "devices/platform/odd \(index) {{x}}:é"
      try tree.device(parent, subsystem: index % 2 == 0 ? "platform" : "we{{ird", driver: "drv \(raw.prefix(20).replacingOccurrences(of: "/", with: "|").replacingOccurrences(of: "\u{0}", with: "0"))")
      try tree.hwmon(number, parent: parent, name: Array(raw.utf8), attributes: ["temp1_input": "40000", "temp1_label": raw, "in0_input": "1000"])
      number += 1
      expectedChannels += 2
    }
    let bytes: [UInt8] = [0x66, 0xff, 0xfe, 0x3a, 0x80]  // not UTF-8
    try tree.device("devices/platform/bytes.0")
    try tree.hwmon(number, parent: "devices/platform/bytes.0", name: bytes, attributes: ["temp1_input": "1000"])
    number += 1
    expectedChannels += 1
    // Two namesakes on one parent are ranked coretemp#0 and coretemp#1; a chip that calls
    // itself `coretemp#1` on the same parent would share that key.
    try tree.device("devices/platform/shared.0")
    for name in ["coretemp", "coretemp", "coretemp#1"] {
      try tree.hwmon(number, parent: "devices/platform/shared.0", name: Array(name.utf8), attributes: ["temp1_input": "1000"])
      number += 1
    }
    expectedChannels += 2

    let capture = LogCapture()
    let hwmon = HwmonPlugin(environment: ["HWMON_SYSFS_ROOT": tree.root], logger: capture.logger)
    var config = PluginConfig()
    config.network = .init(type: .tcp, address: "127.0.0.1:0")
    let devices = try hwmon.plugin.build(config: config, deviceConfig: DeviceConfig(devices: []), environment: ["HOME": "/secret"], logger: quiet)
      .devices.devices
    #expect(devices.count == expectedChannels)
    let chips = HwmonScanner(root: tree.root).chips()
    for device in devices {
      for tag in device.tags { #expect((try? Tag(parsing: tag.description)) != nil, "\(tag)") }
      let chip = try #require(chips.first { SysfsText.contextValue($0.displayName) == device.context["chip"] })
      #expect(device.tags.first?.description == "hwmon/chip:\(SysfsText.tagLabel(chip.displayName))")
      #expect(device.context.values.allSatisfy { !$0.contains("/secret") && !$0.contains("{{") })
    }
    #expect(devices.contains { $0.info == "AUXTIN0" && $0.context["chip"] == "AUXTIN0-virtual-0" })
    #expect(devices.contains { $0.context["chip"] == "ucsi_source_psy_USBC000:001-isa-0000" })
    #expect(devices.contains { $0.context["chip"] == "{ { env \"HOME\" }}-isa-0000" })
    _ = try hwmon.plugin.dynamicRegistrar?(.map([]))  // a rescan warns no more
    let skipped = capture.lines.withLock { $0.filter { $0.contains("hwmon chip skipped") } }
    #expect(skipped.count == 1, "\(skipped)")
    #expect(skipped.first?.contains("coretemp#1-isa-0000") == true, "\(skipped)")
  }
}

/// A reproducible random source for the generated strings (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
