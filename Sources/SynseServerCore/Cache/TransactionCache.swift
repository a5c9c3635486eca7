import Synchronization

/// Which plugin and device each write transaction belongs to, for `cache.transaction.ttl`
/// after it was written (docs/api-v3.md §8.8).
public final class TransactionCache: Sendable {
  public struct Entry: Sendable {
    public let pluginID: String
    public let device: String
    let expires: ContinuousClock.Instant
    /// The transaction's final status (DONE or ERROR) once seen, or decided by the server when
    /// the plugin can no longer say (it forgot the transaction, or stayed unreachable):
    /// answered from here from then on, so a plugin restart cannot lose it.
    public internal(set) var final: TransactionRecord?
  }

  private let entries = Mutex<[String: Entry]>([:])
  private let ttl: Duration

  public init(ttl: Duration) {
    self.ttl = ttl
  }

  public func add(_ id: String, pluginID: String, device: String) {
    entries.withLock { $0[id] = Entry(pluginID: pluginID, device: device, expires: .now + ttl, final: nil) }
  }

  /// Keeps `record` as the transaction's final status; false when one was kept already (so
  /// that it is announced once). An expired transaction has nothing to keep it in: true.
  func settle(_ id: String, _ record: TransactionRecord) -> Bool {
    entries.withLock { entries in
      guard entries[id] != nil else { return true }
      guard entries[id]?.final == nil else { return false }
      entries[id]?.final = record
      return true
    }
  }

  public func entry(_ id: String) -> Entry? {
    entries.withLock { entries in
      expire(&entries)
      return entries[id]
    }
  }

  /// Live transaction IDs, sorted.
  public var ids: [String] {
    entries.withLock { entries in
      expire(&entries)
      return entries.keys.sorted()
    }
  }

  private func expire(_ entries: inout [String: Entry]) {
    let now = ContinuousClock.now
    entries = entries.filter { $0.value.expires > now }
  }
}
