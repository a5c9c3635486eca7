import Foundation

/// lm-sensors chip names (`prefix-bus-address`, docs/hwmon.md §1.8): display names, not keys.
///
/// Our own rendering of libsensors' rules (lib/sysfs.c, `find_bus_type` and `classify_device`;
/// lib/data.c, `sensors_snprintf_chip_name`): starting at the parent device, the basename of
/// its `subsystem` link and its own directory name decide the bus; a device on no bus it knows
/// (nvme0, thermal_zone0, a power supply) hands over to its own `device` link, and a chip with
/// no parent, or whose chain ends on no known bus, is `virtual`.
enum ChipName {
  enum Bus: String, Sendable {
    case isa, pci, i2c, spi, virtual, acpi, hid, mdio, scsi
  }

  /// The name for a chip called `name` whose parent device is `parent` (an absolute, resolved
  /// path), under the sysfs `root`; `nil` parent = no `device` link.
  static func libsensors(name: String, parent: String?, root: String, files: any SysfsFiles) -> String {
    let (bus, number, address) = classifyChain(parent, root: root, files: files) ?? (.virtual, 0, 0)
    switch bus {
    case .isa: return "\(name)-isa-\(hex(address, width: 4))"
    case .pci: return "\(name)-pci-\(hex(address, width: 4))"
    case .i2c: return "\(name)-i2c-\(number)-\(hex(address, width: 2))"
    case .spi: return "\(name)-spi-\(number)-\(hex(address, width: 1))"
    case .virtual: return "\(name)-virtual-\(hex(address, width: 1))"
    case .acpi: return "\(name)-acpi-\(hex(address, width: 1))"
    case .hid: return "\(name)-hid-\(number)-\(hex(address, width: 1))"
    case .mdio: return "\(name)-mdio-\(hex(address, width: 1))"
    case .scsi: return "\(name)-scsi-\(number)-\(hex(address, width: 1))"
    }
  }

  /// Walks `device` links from `start` until a device classifies (at most 16 hops: a
  /// hand-made tree may link in a circle).
  static func classifyChain(_ start: String?, root: String, files: any SysfsFiles) -> (Bus, Int, Int)? {
    var current = start
    for _ in 0..<16 {
      guard let path = current else { return nil }
      let subsystem = SysfsLinks.basename(of: "\(path)/subsystem") ?? SysfsLinks.basename(of: "\(path)/bus")
      if let found = classify((path as NSString).lastPathComponent, subsystem: subsystem, root: root, files: files) { return found }
      // Only a link: a PCI function has a plain `device` file (its device ID).
      current = SysfsLinks.isLink("\(path)/device") ? SysfsLinks.resolved("\(path)/device") : nil
    }
    return nil
  }

  /// One device: its directory name and subsystem (`nil` when it has no `subsystem` link, as on
  /// kernels before 2.6.12 and in node_exporter's fixture; then name patterns alone decide, and
  /// anything else counts as platform, as in libsensors).
  static func classify(_ device: String, subsystem: String?, root: String, files: any SysfsFiles) -> (Bus, Int, Int)? {
    let any = subsystem == nil
    let scanner = Scan(device)
    if any || subsystem == "i2c", let (adapter, address) = scanner.i2c() {
      // Adapter 9191, or one whose name starts with "ISA ", is the legacy i2c-isa bridge.
      if adapter == 9191 { return (.isa, 0, address) }
      if let adapterName = try? files.read("\(root)/class/i2c-adapter/i2c-\(adapter)/device/name"), adapterName.hasPrefix("ISA ") {
        return (.isa, 0, address)
      }
      return (.i2c, adapter, address)
    }
    if any || subsystem == "spi", let (bus, chipSelect) = scanner.spi() { return (.spi, bus, chipSelect) }
    if any || subsystem == "pci", let parts = scanner.fourHex(), parts.count == 4 {
      return (.pci, 0, (parts[0] << 16) + (parts[1] << 8) + (parts[2] << 3) + parts[3])
    }
    if any || subsystem == "platform" || subsystem == "of_platform" { return (.isa, 0, scanner.platformInstance() ?? 0) }
    if subsystem == "acpi" { return (.acpi, 0, 0) }
    if subsystem == "hid", let parts = scanner.fourHex(), parts.count == 4 { return (.hid, parts[0], parts[3]) }
    if subsystem == "mdio_bus" { return (.mdio, 0, scanner.mdioAddress() ?? 0) }
    if subsystem == "scsi", let parts = scanner.scsi() { return (.scsi, parts[0], (parts[1] << 8) + (parts[2] << 4) + parts[3]) }
    return nil
  }

  /// `0000:3d:00.0` → (domain << 16) + (bus << 8) + (slot << 3) + function.
  static func pciAddress(_ text: String) -> Int? {
    guard let parts = Scan(text).fourHex(), parts.count == 4 else { return nil }
    return (parts[0] << 16) + (parts[1] << 8) + (parts[2] << 3) + parts[3]
  }

  static func hex(_ value: Int, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}

/// The `sscanf` patterns libsensors matches device names with; like `sscanf`, each matches a
/// prefix of the name and ignores what follows.
struct Scan {
  let text: Substring
  init(_ text: String) { self.text = Substring(text) }

  /// `%hd-%x`: `1-0044` → (1, 0x44).
  func i2c() -> (Int, Int)? {
    var rest = text
    guard let adapter = Self.number(&rest, radix: 10), rest.first == "-" else { return nil }
    rest = rest.dropFirst()
    guard let address = Self.number(&rest, radix: 16) else { return nil }
    return (adapter, address)
  }

  /// `spi%hd.%d`: `spi1.0` → (1, 0).
  func spi() -> (Int, Int)? {
    guard text.hasPrefix("spi") else { return nil }
    var rest = text.dropFirst(3)
    guard let bus = Self.number(&rest, radix: 10), rest.first == "." else { return nil }
    rest = rest.dropFirst()
    guard let chipSelect = Self.number(&rest, radix: 10) else { return nil }
    return (bus, chipSelect)
  }

  /// `%x:%x:%x.%x`: PCI `0000:3d:00.0`, HID `0003:046D:C52B.0007`.
  func fourHex() -> [Int]? {
    var rest = text
    var parts: [Int] = []
    for separator in [":", ":", ".", nil] as [Character?] {
      guard let value = Self.number(&rest, radix: 16) else { return nil }
      parts.append(value)
      if let separator {
        guard rest.first == separator else { return nil }
        rest = rest.dropFirst()
      }
    }
    return parts
  }

  /// `%*[a-z0-9_].%d`: `nct6775.2592` → 2592; `asus-nb-wmi` or `USBC000:00` → nil (address 0).
  func platformInstance() -> Int? {
    let stem = text.prefix { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    guard !stem.isEmpty else { return nil }
    var rest = text.dropFirst(stem.count)
    guard rest.first == "." else { return nil }
    rest = rest.dropFirst()
    return Self.number(&rest, radix: 10)
  }

  /// `%*[^:]:%d`: `stmmac-0:01` → 1.
  func mdioAddress() -> Int? {
    guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return nil }
    var rest = text[text.index(after: colon)...]
    return Self.number(&rest, radix: 10)
  }

  /// `%d:%d:%d:%x`: host, channel, target, lun (`2:0:0:0`).
  func scsi() -> [Int]? {
    var rest = text
    var parts: [Int] = []
    for index in 0..<4 {
      guard let value = Self.number(&rest, radix: index == 3 ? 16 : 10) else { return nil }
      parts.append(value)
      if index < 3 {
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst()
      }
    }
    return parts
  }

  /// Consumes an unsigned number (at most 9 digits, so no overflow) from the front of `rest`.
  static func number(_ rest: inout Substring, radix: Int) -> Int? {
    let digits = rest.prefix { $0.isASCII && $0.isHexDigit && Int(String($0), radix: radix) != nil }.prefix(9)
    guard !digits.isEmpty, let value = Int(digits, radix: radix) else { return nil }
    rest = rest.dropFirst(digits.count)
    return value
  }
}

/// Symlinks of a sysfs tree, read without following them further than asked.
enum SysfsLinks {
  /// The last component of a symlink's target (`subsystem`, `driver`), if it is a symlink.
  static func basename(of link: String) -> String? {
    guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return nil }
    let name = (target as NSString).lastPathComponent
    return name.isEmpty || name == ".." || name == "." ? nil : name
  }

  static func isLink(_ path: String) -> Bool {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
  }

  /// The canonical path a link (or path) resolves to, if it exists.
  static func resolved(_ path: String) -> String? {
    guard let pointer = realpath(path, nil) else { return nil }
    defer { free(pointer) }
    return String(cString: pointer)
  }
}
