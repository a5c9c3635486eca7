extension Commands {
  static let sortKeys: Set<String> = ["id", "type", "plugin", "info", "alias", "timestamp", "sortIndex"]

  /// Prefixes tags without a namespace with `<ns>/` (api-v3.md §3.1).
  public static func applyNamespace(_ namespace: String, to groups: [[String]]) -> [[String]] {
    groups.map { group in group.map { $0.contains("/") ? $0 : "\(namespace)/\($0)" } }
  }

  /// DeviceSummary list: filtered by tag groups (OR of ANDs), sorted by `sort` keys.
  public func scan(namespace: String, tagGroups: [[String]], force: Bool, sort: String?) async throws(SynseError) -> JSONValue {
    if force { try await devices.rebuild(registry: registry) }
    var selected: [DeviceRecord]
    if tagGroups.isEmpty {
      selected = devices.devices
    } else {
      var seen: Set<String> = []
      selected = []
      for group in Self.applyNamespace(namespace, to: tagGroups) {
        for device in devices.devices(withAll: group) where seen.insert(device.id).inserted { selected.append(device) }
      }
    }
    let keys = (sort ?? "plugin,sortIndex,id").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    if selected.count > 0, !keys.allSatisfy(Self.sortKeys.contains) {
      throw .invalidUsage("invalid sort key(s) provided")
    }
    selected.sort { lhs, rhs in
      for key in keys {
        let order = Self.compare(lhs, rhs, key)
        if order != .orderedSame { return order == .orderedAscending }
      }
      return false
    }
    return .array(selected.map { device in device.renderedSummary.map(JSONValue.fragment) ?? device.summaryJSON })
  }

  private enum Order { case orderedAscending, orderedSame, orderedDescending }

  private static func compare(_ lhs: DeviceRecord, _ rhs: DeviceRecord, _ key: String) -> Order {
    func order<T: Comparable>(_ a: T, _ b: T) -> Order { a < b ? .orderedAscending : (a == b ? .orderedSame : .orderedDescending) }
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

  /// Distinct tags, without `system/id:` unless `ids`, filtered by namespaces, sorted.
  public func tags(namespaces: [String], includeIDs: Bool) -> JSONValue {
    let tags = devices.tags.filter { tag in
      if !includeIDs && tag.hasPrefix("system/id:") { return false }
      guard !namespaces.isEmpty else { return true }
      let namespace = tag.firstIndex(of: "/").map { String(tag[..<$0]) } ?? "default"
      return namespaces.contains(namespace)
    }
    return .array(tags.sorted().map(JSONValue.string))
  }

  public func info(deviceID: String) throws(SynseError) -> JSONValue {
    guard let device = devices.device(deviceID) else { throw .notFound("device not found: \(deviceID)") }
    return device.infoJSON
  }
}
