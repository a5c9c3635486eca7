import Foundation

/// The part of a device path that survives a reboot (docs/hwmon.md §1.8): the physical path with
/// every kernel instance counter replaced by what the bus keeps stable. Device IDs are built
/// on it; lm-sensors names (which keep the counters, as `sensors` prints them) are not.
///
/// Per component of the path, by bus:
///
/// | component | counter | stable form |
/// |---|---|---|
/// | `hwmon3` | hwmon class index, probe order | `hwmon` (the chip name follows in the key) |
/// | `thermal_zone0` | zone registration order | `thermal_zone[<type>]` |
/// | `nvme0`, `ata3`, `host2`, `usb1`, `i2c-7`, `spi0` | global counters of the nvme, libata, SCSI host, USB bus, I²C adapter and SPI controller numbering | `<prefix>[<rank>]`: rank among same-prefix siblings under the same parent (port 3 of the controller stays port 3) |
/// | `target2:0:0`, `2:0:0:0` | SCSI host number | `target:0:0`, `:0:0:0` (channel, target and LUN stay) |
/// | `7-0044` under `i2c-7` | adapter number | `-0044` (the client address stays) |
/// | `spi0.1` | controller number | `spi.1` (the chip select stays) |
/// | `1-2.3`, `1-2.3:1.0` under `usbN` | USB bus number | `-2.3`, `-2.3:1.0` (the port chain stays) |
/// | `0003:046D:C52B.0007` | HID device instance | `0003:046D:C52B` (bus type, vendor, product; the USB path above tells two alike apart) |
/// | `stmmac-0` under `mdio_bus`, `stmmac-0:01` | MDIO bus id (driver instance) | `mdio[<rank>]`, `:01` (the PHY address stays) |
/// | `dwc3.1.auto` | platform auto id | `dwc3.auto[<rank>]` |
///
/// PCI addresses, platform ids (`coretemp.0`, `nct6775.2592`), ACPI ids (`ACPI000D:00`) and
/// I²C client addresses are kept: they follow the slot, socket, I/O port or firmware table,
/// and a card moved to another slot is another device.
struct StablePath {
  let root: String
  let files: any SysfsFiles

  /// `devices/pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0` →
  /// `devices/pci0000:00/0000:00:17.0/ata[1]/host[0]/target:0:0/:0:0:0`.
  func stable(_ relative: String) -> String {
    var output: [String] = []
    var directory = root
    var previous = ""
    var underUSB = false
    for part in relative.split(separator: "/").map(String.init) {
      let parent = directory
      directory += "/" + part
      output.append(rewrite(part, previous: previous, parent: parent, underUSB: &underUSB))
      previous = part
    }
    return output.joined(separator: "/")
  }

  private static let counters = ["nvme", "ata", "host", "usb", "i2c-", "spi"]

  private func rewrite(_ part: String, previous: String, parent: String, underUSB: inout Bool) -> String {
    if Self.counter(part, prefix: "hwmon") != nil { return "hwmon" }
    if Self.counter(part, prefix: "thermal_zone") != nil {
      let type = (try? files.read("\(parent)/\(part)/type")).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
      return "thermal_zone[\(type)]"
    }
    if previous == "mdio_bus" { return "mdio[\(rank(part, in: parent) { _ in 0 })]" }
    if !previous.isEmpty, part.hasPrefix(previous + ":"), parent.hasSuffix("/mdio_bus/" + previous) {
      return String(part.dropFirst(previous.count))
    }
    for prefix in Self.counters where Self.counter(part, prefix: prefix) != nil {
      if prefix == "usb" { underUSB = true }
      return "\(prefix)[\(rank(part, in: parent) { Self.counter($0, prefix: prefix) })]"
    }
    if part.hasPrefix("target"), let tail = Self.scsiTail(part.dropFirst(6), fields: 3) { return "target" + tail }
    if let tail = Self.scsiTail(Substring(part), fields: 4) { return tail }
    if Self.counter(previous, prefix: "i2c-") != nil, let dash = part.firstIndex(of: "-"), Int(part[..<dash]) != nil {
      return String(part[dash...])
    }
    if part.hasPrefix("spi"), let dot = part.firstIndex(of: "."), Int(part.dropFirst(3).prefix(upTo: dot)) != nil {
      return "spi" + part[dot...]
    }
    if underUSB, let dash = part.firstIndex(of: "-"), Int(part[..<dash]) != nil { return String(part[dash...]) }
    // HID `bus:vendor:product.instance`; a PCI function (`0000:3d:00.0`) has a one-digit tail.
    if Scan(part).fourHex() != nil, part.split(separator: ":").count == 3, let dot = part.lastIndex(of: "."),
       part[part.index(after: dot)...].count == 4 {
      return String(part[..<dot])
    }
    if part.hasSuffix(".auto") {
      let base = part.dropLast(5)
      if let dot = base.lastIndex(of: "."), Int(base[base.index(after: dot)...]) != nil {
        let stem = String(base[..<dot])
        return "\(stem).auto[\(rank(part, in: parent) { Self.autoInstance($0, stem: stem) })]"
      }
    }
    return part
  }

  /// `ata12` with prefix `ata` → 12; nil when the rest is not all digits.
  static func counter(_ part: String, prefix: String) -> Int? {
    guard part.hasPrefix(prefix), part.count > prefix.count else { return nil }
    let rest = part.dropFirst(prefix.count)
    guard rest.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return Int(rest)
  }

  /// `H:C:T:L` → `:C:T:L` (SCSI device); `H:C:T` → `:C:T` after `target`.
  static func scsiTail(_ text: Substring, fields: Int) -> String? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == fields, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
    return ":" + parts.dropFirst().joined(separator: ":")
  }

  static func autoInstance(_ part: String, stem: String) -> Int? {
    guard part.hasPrefix(stem + "."), part.hasSuffix(".auto") else { return nil }
    return Int(part.dropFirst(stem.count + 1).dropLast(5))
  }

  /// The position of `part` among the siblings that `number` recognises, by number: 0 for the
  /// first. A sibling set that does not list `part` (a tree being torn down) gives its number.
  private func rank(_ part: String, in parent: String, number: (String) -> Int?) -> Int {
    let siblings = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [])
      .compactMap { name in number(name).map { (name, $0) } }
      .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    return siblings.firstIndex { $0.0 == part } ?? (number(part) ?? 0)
  }
}
