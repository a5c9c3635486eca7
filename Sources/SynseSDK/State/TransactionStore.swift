import Foundation
import Synchronization
import SynseSupport

/// Write transactions, kept for `settings.transaction.ttl` after creation.
final class TransactionStore: Sendable {
  private struct State {
    var transactions: [String: Transaction] = [:]
    var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// IDs by creation time, which is expiry order: all live the one TTL.
    var byAge = ExpiryQueue<String, Date>()
  }

  private let state = Mutex(State())
  private let ttl: Duration
  private let now: @Sendable () -> Date

  init(ttl: Duration, now: @escaping @Sendable () -> Date = Date.init) {
    self.ttl = ttl
    self.now = now
  }

  enum CreateError: Error { case duplicate(String) }

  /// Creates a PENDING transaction; the ID is the caller's if given, else a random UUID.
  func create(deviceID: String, write: WriteData, timeout: Duration) throws(CreateError) -> Transaction {
    let date = now()
    let id = write.transaction.isEmpty ? UUID().uuidString.lowercased() : write.transaction
    let transaction = Transaction(
      id: id, deviceID: deviceID, created: date, updated: date, status: .pending, message: "", timeout: timeout,
      context: write)
    let inserted = state.withLock { state in
      expire(&state, at: date)
      guard state.transactions[id] == nil else { return false }
      state.transactions[id] = transaction
      state.byAge.append(id, expires: date)
      return true
    }
    guard inserted else { throw .duplicate(id) }
    return transaction
  }

  /// Records a transition, waking anyone waiting once the status is final.
  /// Called with each final status (`DONE`, `ERROR`) as a transaction reaches it.
  var onFinal: (@Sendable (Transaction.Status) -> Void)? {
    get { finalHook.withLock { $0 } }
    set { finalHook.withLock { $0 = newValue } }
  }
  private let finalHook = Mutex<(@Sendable (Transaction.Status) -> Void)?>(nil)

  func update(_ id: String, to status: Transaction.Status, message: String = "") {
    if status.isFinal, let hook = onFinal { hook(status) }
    let date = now()
    let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
      state.transactions[id]?.transition(to: status, message: message, at: date)
      guard state.transactions[id]?.status.isFinal ?? true else { return [] }
      return state.waiters.removeValue(forKey: id) ?? []
    }
    for waiter in waiters { waiter.resume() }
  }

  func transaction(_ id: String) -> Transaction? {
    state.withLock { state in
      expire(&state, at: now())
      return state.transactions[id]
    }
  }

  func all() -> [Transaction] {
    state.withLock { state in
      expire(&state, at: now())
      return Array(state.transactions.values)
    }
  }

  /// Returns once the transaction is DONE or ERROR (or has expired).
  func waitUntilFinal(_ id: String) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let finished = state.withLock { state -> Bool in
        guard let transaction = state.transactions[id], !transaction.status.isFinal else { return true }
        state.waiters[id, default: []].append(continuation)
        return false
      }
      if finished { continuation.resume() }
    }
  }

  private func expire(_ state: inout State, at date: Date) {
    let seconds = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
    let isDue = { (created: Date) in date.timeIntervalSince(created) > seconds }
    state.byAge.expire(isDue: isDue) { id in
      guard let created = state.transactions[id]?.created, isDue(created) else { return }
      state.transactions.removeValue(forKey: id)
      // Expiry is final too: waking waiters keeps WriteSync from hanging on a lost record.
      for waiter in state.waiters.removeValue(forKey: id) ?? [] { waiter.resume() }
    }
  }
}
