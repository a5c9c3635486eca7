import Synchronization

/// The plugin ID a client's metrics are labelled with: empty until registration learns it
/// (so `Metadata`/`Version` of a registration attempt carry `plugin=""`, as upstream). One per
/// endpoint, kept by ``PluginRegistry`` and set when a plugin registers there.
public final class PluginLabel: Sendable {
  private let id = Mutex("")

  init() {}

  /// The plugin ID, or `""` before registration.
  public var value: String { id.withLock { $0 } }
  func set(_ value: String) { id.withLock { $0 = value } }
}
