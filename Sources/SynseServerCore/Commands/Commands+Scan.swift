extension Commands {
  /// Prefixes tags without a namespace with `<ns>/` (docs/api-v3.md §3.1).
  public static func applyNamespace(_ namespace: String, to groups: [[String]]) -> [[String]] {
    groups.map { group in group.map { $0.contains("/") ? $0 : "\(namespace)/\($0)" } }
  }

  /// DeviceSummary list: filtered by tag groups (OR of ANDs), sorted by `sort` keys.
  public func scan(namespace: String, tagGroups: [[String]], force: Bool, sort: String?) async throws(SynseError) -> JSONValue {
    if force { try await devices.rebuild(registry: registry) }
    let keys = sort.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? DeviceRecord.defaultScanOrder
    if tagGroups.isEmpty, keys == DeviceRecord.defaultScanOrder, let rendered = devices.defaultScan {
      return .fragment(rendered)
    }
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
    if selected.count > 0, !keys.allSatisfy(DeviceRecord.scanSortKeys.contains) {
      throw .invalidUsage("invalid sort key(s) provided")
    }
    return .array(DeviceRecord.sortedForScan(selected, keys: keys).map { device in
      device.renderedSummary.map(JSONValue.fragment) ?? device.summaryJSON
    })
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
