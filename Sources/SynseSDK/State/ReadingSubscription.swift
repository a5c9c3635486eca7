import Synchronization

/// One `ReadStream` consumer's queue of reading batches, handed over all at once: what piled up
/// while the consumer was writing goes out in one write (one flush) rather than one per device.
///
/// Why not `AsyncStream`: it hands over one element per `next()`, and each message's write
/// flushed on its own; at 1,000 devices a second that flushing was a seventh of the plugin's
/// CPU, and a server's stream lagged the pass by tens of milliseconds (issue 17).
///
/// A consumer that falls behind loses the oldest batches beyond `limit` rather than growing
/// memory without bound.
final class ReadingSubscription: Sendable {
  private struct State {
    var pending: [ReadingState.Batch] = []
    var waiter: CheckedContinuation<[ReadingState.Batch]?, Never>?
    var finished = false
  }

  /// nil: every device, those registered after the stream opened included.
  let deviceIDs: Set<String>?
  private let limit: Int
  private let state = Mutex(State())
  private let onEnd: @Sendable (ObjectIdentifier) -> Void

  /// - Parameter onEnd: called once, when the subscription finishes, with its identity.
  init(deviceIDs: Set<String>?, limit: Int, onEnd: @escaping @Sendable (ObjectIdentifier) -> Void) {
    self.deviceIDs = deviceIDs
    self.limit = limit
    self.onEnd = onEnd
  }

  func wants(_ deviceID: String) -> Bool { deviceIDs?.contains(deviceID) ?? true }

  func yield(_ batch: ReadingState.Batch) {
    let waiter = state.withLock { state -> CheckedContinuation<[ReadingState.Batch]?, Never>? in
      guard !state.finished else { return nil }
      if let waiter = state.waiter {
        state.waiter = nil
        return waiter
      }
      state.pending.append(batch)
      if state.pending.count > limit { state.pending.removeFirst(state.pending.count - limit) }
      return nil
    }
    waiter?.resume(returning: [batch])
  }

  /// Every batch waiting, or the next one when none is; nil once finished (after what was
  /// waiting) or when the task is cancelled.
  func next() async -> [ReadingState.Batch]? {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<[ReadingState.Batch]?, Never>) in
        let ready = state.withLock { state -> [ReadingState.Batch]?? in
          if !state.pending.isEmpty {
            defer { state.pending.removeAll(keepingCapacity: true) }
            return .some(state.pending)
          }
          if state.finished || Task.isCancelled { return .some(nil) }
          state.waiter = continuation
          return nil
        }
        if let ready { continuation.resume(returning: ready) }
      }
    } onCancel: {
      finish()
    }
  }

  /// Ends the subscription: the consumer gets what is waiting, then nil.
  func finish() {
    let (first, waiter) = state.withLock { state -> (Bool, CheckedContinuation<[ReadingState.Batch]?, Never>?) in
      guard !state.finished else { return (false, nil) }
      state.finished = true
      defer { state.waiter = nil }
      return (true, state.waiter)
    }
    waiter?.resume(returning: nil)
    if first { onEnd(ObjectIdentifier(self)) }
  }
}
