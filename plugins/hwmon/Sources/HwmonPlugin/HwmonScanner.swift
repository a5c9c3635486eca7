import Foundation
import SynseSDK

/// One hwmon chip as found under a sysfs root.
public struct HwmonChip: Sendable, Equatable {
  /// The `name` file ("coretemp"), trimmed; "unnamed" when the chip has none (or it is blank).
  public var name: String
  /// `hwmonN` of this boot: context only, never identity.
  public var hwmon: String
  /// The directory holding `name` and the attributes (the device directory for legacy chips).
  public var attributeDirectory: String
  /// The parent device path relative to the root ("devices/platform/coretemp.0"), if linked.
  public var parent: String?
  /// Stable identity: the parent path (or the chip's own path) with instance counters made
  /// stable (``StablePath``) + name, + `#rank` among same-key siblings.
  public var key: String
  /// lm-sensors style display name ("coretemp-isa-0000").
  public var displayName: String
  public var driver: String?
  /// The parent's subsystem (platform, pci, i2c, scsi…): its `subsystem` link (sd-device's
  /// answer where `/sys` is real).
  public var subsystem: String?
  /// node_exporter's `chip` label for it, unique among the chips found (``ExporterChip``).
  public var exporterChip: String = ""
  /// node_exporter's `chip_name`: the cleaned `name` of the hwmon directory itself (not a
  /// legacy chip's device directory), if any.
  public var exporterChipName: String?
}

/// One channel of a chip (`temp3`, `in0`, `pwm1`): a Synse device.
public struct HwmonChannel: Sendable, Equatable {
  public let chip: HwmonChip
  public let family: HwmonFamily
  public let index: Int
  /// The items present (`input`, `max`, `label`, "" for a bare `pwm1`).
  public var items: Set<String>
  public var label: String?
  /// `temp3`.
  public let stem: String
  /// `<chip key>/temp3`: stored, since every read looks channels up by it.
  public let key: String

  public init(chip: HwmonChip, family: HwmonFamily, index: Int, items: Set<String>, label: String?) {
    self.chip = chip
    self.family = family
    self.index = index
    self.items = items
    self.label = label
    stem = "\(family.rawValue)\(index)"
    key = "\(chip.key)/\(stem)"
  }

  public func path(_ item: String?) -> String {
    "\(chip.attributeDirectory)/\(stem)" + (item.map { $0.isEmpty ? "" : "_\($0)" } ?? "")
  }

  public func has(_ item: String?) -> Bool { items.contains(item ?? "") }

  /// The measurement file, if the channel has one (i915 `power1` has only limits).
  public var valuePath: String? {
    family.valueItems.first(where: has).map { path($0) }
  }
}

/// Finds chips and channels by listing `<root>/class/hwmon` (docs/hwmon.md §1.1–§1.2, §1.8):
/// indices are discovered, never counted; legacy chips are read from their device
/// directory only when the hwmon directory has no `name`.
public struct HwmonScanner: Sendable {
  public let root: String
  let files: any SysfsFiles

  /// `root` is canonicalised (absolute, symlinks resolved): keys are relative to it, so
  /// `Tests/Fixtures/sysfs/server` and its absolute path give the same IDs.
  public init(root: String, files: any SysfsFiles = PosixSysfsFiles()) {
    self.root = HwmonSettings.canonicalRoot(root)
    self.files = files
  }

  public func chips() -> [HwmonChip] {
    let classDirectory = "\(root)/class/hwmon"
    let entries = ((try? FileManager.default.contentsOfDirectory(atPath: classDirectory)) ?? [])
      .filter { $0.hasPrefix("hwmon") }
      .sorted { (Int($0.dropFirst(5)) ?? 0) < (Int($1.dropFirst(5)) ?? 0) }
    let stable = StablePath(root: root, files: files)
    var found: [(chip: HwmonChip, path: String)] = []
    for entry in entries {
      let directory = realPath("\(classDirectory)/\(entry)")
      let deviceLink = "\(directory)/device"
      let parentPath = FileManager.default.fileExists(atPath: deviceLink) ? realPath(deviceLink) : nil
      var attributes = directory
      var name = try? files.read("\(directory)/name")
      let ownName = name
      if name == nil, let parentPath, let legacy = try? files.read("\(parentPath)/name") {
        name = legacy
        attributes = parentPath
      }
      let chipName = name.flatMap(SysfsText.label) ?? "unnamed"
      let parent = parentPath.map(relative)
      let path = parent ?? relative(directory)
      var driver = parentPath.flatMap { SysfsLinks.basename(of: "\($0)/driver") }
      var subsystem = parentPath.flatMap { SysfsLinks.basename(of: "\($0)/subsystem") }
      if root == "/sys", let parentPath, let device = SystemDevice(syspath: parentPath) {
        subsystem = device.subsystem ?? subsystem
        driver = device.driver ?? driver
      }
      let chip = HwmonChip(
        name: chipName, hwmon: entry, attributeDirectory: attributes, parent: parent, key: "\(stable.stable(path))/\(chipName)",
        displayName: ChipName.libsensors(name: chipName, parent: parentPath, root: root, files: files), driver: driver, subsystem: subsystem,
        exporterChip: ExporterChip.name(directory: directory, parent: parentPath, nameFile: ownName),
        exporterChipName: ownName.map(ExporterChip.clean).flatMap { $0.isEmpty ? nil : $0 })
      found.append((chip, path))
    }
    // Chips with one key (same name on one parent; docs/hwmon.md §1.1, §1.8): ranked by their
    // path as numbered in this boot (relative order on a bus is stable), then probe order.
    let byKey = Dictionary(grouping: found.indices, by: { found[$0].chip.key })
    for (_, indices) in byKey where indices.count > 1 {
      let ordered = indices.sorted { left, right in
        let (a, b) = (found[left], found[right])
        if a.path != b.path { return SysfsText.naturalOrder(a.path, b.path) }
        return (Int(a.chip.hwmon.dropFirst(5)) ?? 0) < (Int(b.chip.hwmon.dropFirst(5)) ?? 0)
      }
      for (rank, index) in ordered.enumerated() { found[index].chip.key += "#\(rank)" }
    }
    var chips = found.map(\.chip)
    ExporterChip.disambiguate(&chips)
    return chips
  }

  public func channels(of chip: HwmonChip) -> [HwmonChannel] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: chip.attributeDirectory)) ?? []
    var groups: [String: (family: HwmonFamily, index: Int, items: Set<String>)] = [:]
    for file in names {
      guard let (family, index, item) = Self.parse(file) else { continue }
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: "\(chip.attributeDirectory)/\(file)", isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
      groups["\(family.rawValue)\(index)", default: (family, index, [])].items.insert(item)
    }
    return groups.values
      .sorted { ($0.family.rawValue, $0.index) < ($1.family.rawValue, $1.index) }
      .map { group in
        var channel = HwmonChannel(chip: chip, family: group.family, index: group.index, items: group.items, label: nil)
        if channel.has("label"), let label = try? files.read(channel.path("label")) { channel.label = SysfsText.label(label) }
        return channel
      }
  }

  /// `temp3_crit_alarm` → (temp, 3, "crit_alarm"); `pwm1` → (pwm, 1, ""); unknown types → nil.
  static func parse(_ file: String) -> (HwmonFamily, Int, String)? {
    let letters = file.prefix { $0.isLetter && $0.isASCII }
    let rest = file.dropFirst(letters.count)
    let digits = rest.prefix { $0.isNumber && $0.isASCII }
    guard !digits.isEmpty, let family = HwmonFamily(rawValue: String(letters)), let index = Int(digits) else { return nil }
    let tail = rest.dropFirst(digits.count)
    if tail.isEmpty { return (family, index, "") }
    guard tail.hasPrefix("_"), tail.count > 1 else { return nil }
    return (family, index, String(tail.dropFirst()))
  }

  private func realPath(_ path: String) -> String {
    SysfsLinks.resolved(path) ?? path
  }

  private func relative(_ path: String) -> String {
    path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
  }
}
