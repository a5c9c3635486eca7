import Synchronization
import SynseSupport

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
    /// The write as accepted (its context, timeout and when): what a transaction the plugin
    /// lost before any answer still shows.
    public let accepted: TransactionRecord?
  }

  private struct State {
    var entries: [String: Entry] = [:]
    var byExpiry = ExpiryQueue<String, ContinuousClock.Instant>()
  }

  private let state = Mutex(State())
  private let ttl: Duration

  public init(ttl: Duration) {
    self.ttl = ttl
  }

  /// Remembers a transaction for the TTL, forgetting those whose TTL passed: a server that
  /// only takes writes must not keep them all.
  public func add(_ id: String, pluginID: String, device: String, accepted: TransactionRecord? = nil) {
    let now = ContinuousClock.now
    state.withLock { state in
      expire(&state, at: now)
      state.entries[id] = Entry(pluginID: pluginID, device: device, expires: now + ttl, final: nil, accepted: accepted)
      state.byExpiry.append(id, expires: now + ttl)
    }
  }

  /// Keeps `record` as the transaction's final status; false when one was kept already (so
  /// that it is announced once). An expired transaction has nothing to keep it in: true.
  func settle(_ id: String, _ record: TransactionRecord) -> Bool {
    state.withLock { state in
      guard state.entries[id] != nil else { return true }
      guard state.entries[id]?.final == nil else { return false }
      state.entries[id]?.final = record
      return true
    }
  }

  public func entry(_ id: String) -> Entry? {
    state.withLock { state in
      expire(&state, at: .now)
      return state.entries[id]
    }
  }

  /// Live transaction IDs, sorted.
  public var ids: [String] {
    state.withLock { state in
      expire(&state, at: .now)
      return state.entries.keys.sorted()
    }
  }

  /// Transactions remembered now.
  var count: Int { state.withLock { $0.entries.count } }

  private func expire(_ state: inout State, at now: ContinuousClock.Instant) {
    state.byExpiry.expire(isDue: { $0 <= now }) { id in
      if let entry = state.entries[id], entry.expires <= now { state.entries.removeValue(forKey: id) }
    }
  }
}
