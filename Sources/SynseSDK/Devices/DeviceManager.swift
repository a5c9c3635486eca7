import Synchronization

/// The plugin's devices, indexed by ID and alias, and device selection
/// (docs/plugin-protocol.md §4.2). Shared by the read loop and the gRPC service; a rescan
/// replaces the whole set at once.
public final class DeviceManager: Sendable {
  private struct Snapshot {
    let devices: [Device]
    let byID: [String: Device]
    let byAlias: [String: Device]

    init(_ devices: [Device]) {
      self.devices = devices
      byID = Dictionary(devices.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
      byAlias = Dictionary(devices.filter { !$0.alias.isEmpty }.map { ($0.alias, $0) }, uniquingKeysWith: { first, _ in first })
    }
  }

  private let snapshot: Mutex<Snapshot>

  /// Holds `devices`; with duplicate IDs or aliases the first one wins look-ups.
  public init(devices: [Device]) {
    snapshot = Mutex(Snapshot(devices))
  }

  /// The current devices; a rescan may have replaced them since the last call.
  public var devices: [Device] { snapshot.withLock { $0.devices } }

  /// A device by ID, then by alias.
  public func device(idOrAlias: String) -> Device? {
    snapshot.withLock { $0.byID[idOrAlias] ?? $0.byAlias[idOrAlias] }
  }

  /// Replaces the device set; returns the IDs added and removed.
  @discardableResult
  func replace(with devices: [Device]) -> (added: [String], removed: [String]) {
    let fresh = Snapshot(devices)
    let old = snapshot.withLock { current in
      defer { current = fresh }
      return current
    }
    let added = devices.map(\.id).filter { old.byID[$0] == nil }
    let removed = old.devices.map(\.id).filter { fresh.byID[$0] == nil }
    return (added, removed)
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
    let all = devices
    if tags.isEmpty { return .devices(all) }
    return .devices(all.filter { $0.matches(allOf: tags) })
  }
}
