/// lm-sensors chip names (`prefix-bus-address`, hwmon.md §1.8): display names, not keys.
enum ChipName {
  static func libsensors(name: String, parent: String?) -> String {
    guard let parent else { return "\(name)-virtual-0" }
    let components = parent.split(separator: "/").map(String.init)
    // The nearest bus device, walking up from the parent (nvme0 → its PCI function).
    for component in components.reversed() {
      if let address = pciAddress(component) { return "\(name)-pci-" + hex(address, width: 4) }
      if let (adapter, address) = i2cAddress(component) { return "\(name)-i2c-\(adapter)-" + hex(address, width: 2) }
      if component.hasPrefix("ACPI") || component.hasPrefix("LNX") || component.hasPrefix("PNP") { return "\(name)-acpi-0" }
    }
    if let index = components.firstIndex(of: "platform"), index + 1 < components.count {
      let device = components[index + 1]
      let address = device.split(whereSeparator: { $0 == "." || $0 == ":" }).last.flatMap { Int($0) } ?? 0
      return "\(name)-isa-" + hex(device.contains(".") || device.contains(":") ? address : 0, width: 4)
    }
    if components.contains("thermal") { return "\(name)-acpi-0" }
    return "\(name)-virtual-0"
  }

  /// `0000:3d:00.0` → (domain << 16) + (bus << 8) + (slot << 3) + function.
  static func pciAddress(_ text: String) -> Int? {
    let parts = text.split(separator: ":")
    guard parts.count == 3, parts[0].count == 4, let domain = Int(parts[0], radix: 16), let bus = Int(parts[1], radix: 16) else { return nil }
    let slotFunction = parts[2].split(separator: ".")
    guard slotFunction.count == 2, let slot = Int(slotFunction[0], radix: 16), let function = Int(slotFunction[1], radix: 16) else { return nil }
    return (domain << 16) + (bus << 8) + (slot << 3) + function
  }

  /// `1-0044` → (1, 0x44).
  static func i2cAddress(_ text: String) -> (Int, Int)? {
    let parts = text.split(separator: "-")
    guard parts.count == 2, parts[1].count == 4, let adapter = Int(parts[0]), let address = Int(parts[1], radix: 16) else { return nil }
    return (adapter, address)
  }

  static func hex(_ value: Int, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
