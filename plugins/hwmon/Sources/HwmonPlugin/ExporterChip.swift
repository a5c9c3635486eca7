import Foundation

/// The chip as Prometheus node_exporter's hwmon collector names it (collector/hwmon_linux.go,
/// `hwmonName` and `hwmonHumanReadableChipName`), so the server can export hwmon readings under
/// node_exporter's series names (`metrics.readings_naming: node_exporter`, docs/hwmon.md §5).
///
/// Sent as device context: `hwmon_chip` (the `chip` label) and, when the hwmon directory has a
/// `name`, `hwmon_chip_name` (the `chip_name` label of `node_hwmon_chip_names`).
enum ExporterChip {
  /// node_exporter's label text: lower case, every character outside `[a-z0-9:_]` made `_`,
  /// `_` trimmed from both ends.
  static func clean(_ text: String) -> String {
    let mapped = text.lowercased().unicodeScalars.map { scalar -> Character in
      let allowed = (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") || scalar == ":" || scalar == "_"
      return allowed ? Character(scalar) : "_"
    }
    return String(String(mapped).drop { $0 == "_" }.reversed().drop { $0 == "_" }.reversed())
  }

  /// By preference: `<parent's parent dir>_<parent dir>` of the resolved `device` link
  /// (`platform_coretemp_0`), the `name` file of the hwmon directory itself, its own directory
  /// name (`hwmon4`).
  static func name(directory: String, parent: String?, nameFile: String?) -> String {
    if let parent {
      let device = clean((parent as NSString).lastPathComponent)
      let type = clean(((parent as NSString).deletingLastPathComponent as NSString).lastPathComponent)
      if !device.isEmpty { return type.isEmpty ? device : "\(type)_\(device)" }
    }
    if let nameFile, !clean(nameFile).isEmpty { return clean(nameFile) }
    return clean((directory as NSString).lastPathComponent)
  }

  /// node_exporter gives chips on one parent one name (three `mt7996` radios under `phy0`, the
  /// two `asus` chips), and a scrape then holds duplicate series. Here such chips get
  /// `_<cleaned name>` appended, then `_<rank>` (their key's rank, ``HwmonScanner``) if the
  /// names are alike too: every chip keeps series of its own.
  static func disambiguate(_ chips: inout [HwmonChip]) {
    for round in 0..<2 {
      let groups = Dictionary(grouping: chips.indices, by: { chips[$0].exporterChip })
      for (_, members) in groups where members.count > 1 {
        for (rank, index) in members.enumerated() {
          let suffix = round == 0 ? clean(chips[index].name) : String(rank)
          chips[index].exporterChip += "_" + (suffix.isEmpty ? String(rank) : suffix)
        }
      }
    }
  }
}
