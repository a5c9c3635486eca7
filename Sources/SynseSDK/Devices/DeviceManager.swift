/// The plugin's devices, indexed by ID and alias, and device selection
/// (plugin-protocol.md §4.2).
public struct DeviceManager: Sendable {
  public let devices: [Device]
  private let byID: [String: Device]
  private let byAlias: [String: Device]

  public init(devices: [Device]) {
    self.devices = devices
    self.byID = Dictionary(devices.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    self.byAlias = Dictionary(devices.filter { !$0.alias.isEmpty }.map { ($0.alias, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// A device by ID, then by alias.
  public func device(idOrAlias: String) -> Device? {
    byID[idOrAlias] ?? byAlias[idOrAlias]
  }

  /// The result of applying a selector.
  enum Selection {
    case devices([Device])
    case notFound
  }

  /// Empty selector: all devices; `id`: that device or `.notFound`; tags: devices having
  /// every tag.
  func select(id: String, tags: [Tag]) -> Selection {
    if !id.isEmpty {
      return device(idOrAlias: id).map { .devices([$0]) } ?? .notFound
    }
    if tags.isEmpty { return .devices(devices) }
    return .devices(devices.filter { $0.matches(allOf: tags) })
  }
}
