import Synchronization

/// A FIFO lock that suspends instead of blocking: the SDK's `serial` mode uses it so reads
/// and writes never overlap, and handlers may use it to serialise work of their own.
public final class AsyncLock: Sendable {
  /// An unlocked lock.
  public init() {}

  private struct State {
    var locked = false
    var waiters: [CheckedContinuation<Void, Never>] = []
  }

  private let state = Mutex(State())

  /// Runs `body` once every earlier caller has finished. Not reentrant: calling it again
  /// from `body` waits for ever.
  ///
  /// - Throws: what `body` throws; the lock is released either way.
  public func withLock<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
    await acquire()
    defer { release() }
    return try await body()
  }

  private func acquire() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let acquired = state.withLock { state -> Bool in
        if !state.locked {
          state.locked = true
          return true
        }
        state.waiters.append(continuation)
        return false
      }
      if acquired { continuation.resume() }
    }
  }

  private func release() {
    let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
      if state.waiters.isEmpty {
        state.locked = false
        return nil
      }
      return state.waiters.removeFirst()
    }
    next?.resume()
  }
}
