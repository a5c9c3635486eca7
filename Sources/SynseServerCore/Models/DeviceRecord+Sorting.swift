extension DeviceRecord {
  /// `V3Device` attribute names a scan may sort by (docs/api-v3.md §5.4), case-sensitive.
  static let scanSortKeys: Set<String> = ["id", "type", "plugin", "info", "alias", "timestamp", "sortIndex"]
  static let defaultScanOrder = ["plugin", "sortIndex", "id"]

  /// Ascending by the tuple of keys; strings by code point, `sortIndex` numerically.
  static func sortedForScan(_ devices: [DeviceRecord], keys: [String]) -> [DeviceRecord] {
    devices.sorted { lhs, rhs in
      for key in keys {
        let order = compare(lhs, rhs, key)
        if order != 0 { return order < 0 }
      }
      return false
    }
  }

  private static func compare(_ lhs: DeviceRecord, _ rhs: DeviceRecord, _ key: String) -> Int {
    func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
    switch key {
    case "id": return order(lhs.id, rhs.id)
    case "type": return order(lhs.type, rhs.type)
    case "plugin": return order(lhs.plugin, rhs.plugin)
    case "info": return order(lhs.info, rhs.info)
    case "alias": return order(lhs.alias, rhs.alias)
    case "timestamp": return order(lhs.timestamp, rhs.timestamp)
    default: return order(lhs.sortIndex, rhs.sortIndex)
    }
  }
}
