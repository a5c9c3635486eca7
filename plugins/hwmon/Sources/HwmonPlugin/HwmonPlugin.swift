import Foundation
public import Logging
import Synchronization
public import SynseSDK
import SynseSupport

/// The sysfs/hwmon plugin: every hwmon channel of the machine as a Synse device, with IDs
/// derived from the parent device path, chip name and channel (never from `hwmonN`).
///
/// ```swift
/// let hwmon = HwmonPlugin(logger: logger)
/// try await hwmon.plugin.run(flags: flags, logger: logger)
/// hwmon.restoreFanModes()
/// ```
public struct HwmonPlugin: Sendable {
  public private(set) var plugin: Plugin
  private let registry: ChannelRegistry

  public init(files: any SysfsFiles = PosixSysfsFiles(), environment: [String: String]? = nil, logger: Logger) {
    let environment = environment ?? ProcessInfo.processInfo.environment
    let registry = ChannelRegistry()
    self.registry = registry
    var plugin = Plugin(
      metadata: PluginMetadata(name: "hwmon", maintainer: "synse-swift", description: "Linux hwmon sensors and fans from sysfs", vcs: ""),
      version: PluginVersion(pluginVersion: "1.0.0"))
    plugin.defaultPluginConfig = """
      version: 3
      network: {type: tcp, address: ":5002"}
      settings: {read: {interval: 2s}, write: {interval: 1s}}
      """
    try? plugin.register(output: HwmonFamily.joule)
    // Chips come and go with hotplug and driver loads; udev events do not reach containers,
    // so a periodic rescan is the dependable way to notice.
    plugin.rescanInterval = .seconds(30)
    for name in Set(HwmonFamily.allCases.map(\.deviceType)).union(["fan-control"]) {
      let writable = ["pwm", "fan-control", "intrusion"].contains(name)
      let write: DeviceHandler.Write = { device, write in
        guard let entry = registry.entry(device) else { throw HandlerError("device \(device.id) is not a known hwmon channel") }
        try entry.control.write(entry.channel, action: write.action, data: String(decoding: write.data, as: UTF8.self))
      }
      plugin.register(handler: DeviceHandler(
        name: name,
        read: { device in
          guard let entry = registry.entry(device) else { throw HandlerError("device \(device.id) is not a known hwmon channel") }
          return await entry.sensors.read(entry.channel)
        },
        write: writable ? write : nil))
    }
    plugin.deviceIdentifier = { data in
      if case .string(let key)? = data["key"] { return key }
      return DeviceIdentifier.dataComponent(data)
    }
    plugin.dynamicRegistrar = { item in
      let settings = try HwmonSettings(item, environment: environment)
      // Kept across rescans: last good values and the fan modes to restore live in them.
      let (sensors, control) = registry.components(root: settings.sysfsRoot) {
        let reader = DeadlineReader(files: files, deadline: settings.readTimeout, logger: logger)
        return (HwmonSensors(reader: reader, settings: settings, logger: logger),
                HwmonControl(files: files, minimumPWM: settings.minimumPWM, logger: logger))
      }
      let scanner = HwmonScanner(root: settings.sysfsRoot, files: files)
      let chips = scanner.chips()
      if chips.isEmpty {
        logger.warning("no hwmon chips found", metadata: ["sysfs": "\(settings.sysfsRoot)/class/hwmon"])
      }
      var channels: [HwmonChannel] = []
      var keys: Set<String> = []
      for chip in chips {
        if let problem = Self.unrepresentable(chip, taken: keys) {
          registry.warnOnce(chip.key) {
            logger.warning("hwmon chip skipped: \(problem)", metadata: ["hwmon": "\(chip.hwmon)", "chip": "\(chip.displayName)", "key": "\(chip.key)"])
          }
          continue
        }
        keys.insert(chip.key)
        if chip.name == "unnamed" {
          registry.warnOnce("unnamed:\(chip.key)") {
            logger.warning("hwmon chip without a name; its ID rests on its sysfs path", metadata: ["hwmon": "\(chip.hwmon)"])
          }
        }
        channels += scanner.channels(of: chip).filter(settings.admits)
      }
      registry.add(channels.map { ChannelRegistry.Entry(channel: $0, sensors: sensors, control: control) })
      sensors.expect(channels)
      // Each limit file once per discovery, for both the context and the thresholds.
      let limitFiles = OnceFiles(files)
      return Self.prototypes(channels, thresholds: { Self.thresholds($0, files: limitFiles) }) { channel in
        let kernel = HwmonLimits.kernel(channel, files: limitFiles)
        let merged = HwmonLimits.merged(kernel: kernel.thresholds, overrides: settings.thresholds(for: channel), channel: channel)
        for dropped in kernel.dropped + merged.dropped {
          registry.warnOnce("limit \(dropped)") { logger.warning("\(dropped)", metadata: ["chip": "\(channel.chip.displayName)"]) }
        }
        return merged.thresholds
      }
    }
    self.plugin = plugin
  }

  /// Restores the fan modes this plugin changed (call once the plugin has stopped).
  public func restoreFanModes() {
    registry.controls().forEach { $0.restoreAll() }
  }

  static func handlerName(_ channel: HwmonChannel) -> String {
    channel.family == .fan && channel.has("target") ? "fan-control" : channel.family.deviceType
  }

  /// - Parameters:
  ///   - thresholds: the limits as reading context (`max`, `crit`, … in SI units).
  ///   - limits: the thresholds sent as device metadata `synse.thresholds` (``HwmonLimits``).
  static func prototypes(
    _ channels: [HwmonChannel], thresholds: (HwmonChannel) -> [(key: String, value: String)],
    limits: (HwmonChannel) -> [ReadingSelector: Thresholds] = { _ in [:] }
  ) -> [DeviceConfig.Prototype] {
    Dictionary(grouping: channels, by: handlerName).sorted { $0.key < $1.key }.map { handler, members in
      var prototype = DeviceConfig.Prototype()
      prototype.type = members[0].family.deviceType
      prototype.handler = handler
      prototype.instances = members.map { channel in
        var instance = DeviceConfig.Instance()
        instance.info = channel.label ?? "\(channel.chip.displayName) \(channel.stem)"
        instance.tags = [chipTag(channel.chip)]
        instance.data = .map([("key", .string(channel.key))])
        var context: [(key: String, value: String)] = [("chip", channel.chip.displayName), ("channel", channel.stem)]
        if let driver = channel.chip.driver { context.append(("driver", driver)) }
        if let subsystem = channel.chip.subsystem { context.append(("subsystem", subsystem)) }
        context.append(("hwmon_chip", channel.chip.exporterChip))
        if let name = channel.chip.exporterChipName { context.append(("hwmon_chip_name", name)) }
        if let label = channel.label { context.append(("label", label)) }
        if let file = channel.valuePath { context.append(("value_file", (file as NSString).lastPathComponent)) }
        instance.context = (context + thresholds(channel)).map { ($0.key, SysfsText.contextValue($0.value)) }
        instance.location = "hwmon \(channel.chip.hwmon)/\(channel.stem)"
        instance.thresholds = limits(channel)
        return instance
      }
      return prototype
    }
  }

  /// `hwmon/chip:<lm-sensors name>`, the name mapped by ``SysfsText/tagLabel(_:)``.
  static func chipTag(_ chip: HwmonChip) -> String {
    "hwmon/chip:" + SysfsText.tagLabel(chip.displayName)
  }

  /// Why a chip cannot become devices, if it cannot: its tag does not parse (the mapping
  /// should make that impossible), or its key is already taken (a `name` ending in `#1` next to
  /// ranked namesakes), which would give two devices one ID and fail the whole device set.
  static func unrepresentable(_ chip: HwmonChip, taken: Set<String>) -> String? {
    do {
      _ = try Tag(parsing: chipTag(chip))
    } catch {
      return "\(error)"
    }
    return taken.contains(chip.key) ? "another chip already has the key '\(chip.key)'" : nil
  }

  /// Limits read once at discovery (polling them costs, e.g. NVMe admin commands), scaled,
  /// with the "no limit" sentinels of this file and chip left out (``HwmonFamily/isSentinel(_:item:chip:)``).
  static func thresholds(_ channel: HwmonChannel, files: any SysfsFiles) -> [(key: String, value: String)] {
    HwmonFamily.thresholdItems.compactMap { item in
      guard channel.has(item), let text = try? files.read(channel.path(item)), let raw = Int64(text),
            !channel.family.isSentinel(raw, item: item, chip: channel.chip.name) else { return nil }
      let scaled = item == "div" ? Double(raw) : Double(raw) / channel.family.divisor
      // `Int64(exactly:)`: a value near Int64.max (a driver's garbage) is a Double above it.
      return (item, Int64(exactly: scaled).map(String.init) ?? String(scaled))
    }
  }
}

/// Channels by stable key, with the reader and writer of the settings that found them.
final class ChannelRegistry: Sendable {
  struct Entry: Sendable {
    let channel: HwmonChannel
    let sensors: HwmonSensors
    let control: HwmonControl
  }

  private let entries = Mutex<[String: Entry]>([:])
  private let warned = Mutex<Set<String>>([])

  /// Runs `log` the first time `key` is seen: rescans repeat every 30 s, warnings should not.
  func warnOnce(_ key: String, _ log: () -> Void) {
    if warned.withLock({ $0.insert(key).inserted }) { log() }
  }
  private let byRoot = Mutex<[String: (HwmonSensors, HwmonControl)]>([:])

  /// The reader and writer for a sysfs root, made once.
  func components(root: String, make: () -> (HwmonSensors, HwmonControl)) -> (HwmonSensors, HwmonControl) {
    byRoot.withLock { table in
      if let existing = table[root] { return existing }
      let made = make()
      table[root] = made
      return made
    }
  }

  func add(_ new: [Entry]) {
    entries.withLock { table in for entry in new { table[entry.channel.key] = entry } }
  }

  func entry(_ device: Device) -> Entry? {
    guard case .string(let key)? = device.data["key"] else { return nil }
    return entries.withLock { $0[key] }
  }

  func controls() -> [HwmonControl] {
    entries.withLock { table in
      var seen: [ObjectIdentifier: HwmonControl] = [:]
      for entry in table.values { seen[ObjectIdentifier(entry.control)] = entry.control }
      return Array(seen.values)
    }
  }
}
