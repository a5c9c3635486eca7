import ServiceContextModule
import Synchronization

/// Writes accepted by `WriteAsync`/`WriteSync`, waiting for the write loop.
final class WriteQueue: Sendable {
  struct Item: Sendable {
    let transactionID: String
    let device: Device
    let write: WriteData
    /// The RPC's trace context: the write's handler span continues the caller's trace.
    var context: ServiceContext? = ServiceContext.current
  }

  private struct State {
    var items: [Item] = []
    /// Set when the plugin starts stopping: what is queued is finished, nothing more is taken.
    /// Under the lock with the items, so no write is appended after the drain's last take.
    var closed = false
  }

  private let state = Mutex(State())
  let capacity: Int

  init(capacity: Int) {
    self.capacity = capacity
  }

  /// Whether ``close()`` was called.
  var isClosed: Bool { state.withLock { $0.closed } }

  /// Takes no more writes: a plugin that is stopping finishes those it accepted, and its gRPC
  /// server keeps answering for their transactions meanwhile, but a write accepted now might
  /// never run.
  func close() { state.withLock { $0.closed = true } }

  /// Queues a write; `false` when the queue is full or closed (the caller reports it, nothing
  /// is lost).
  func enqueue(_ item: Item) -> Bool {
    state.withLock { state in
      guard !state.closed, state.items.count < capacity else { return false }
      state.items.append(item)
      return true
    }
  }

  /// Queues all of `batch` in order, or none of it when there is no room for all (or the queue
  /// is closed).
  func enqueue(contentsOf batch: [Item]) -> Bool {
    state.withLock { state in
      guard !state.closed, state.items.count + batch.count <= capacity else { return false }
      state.items.append(contentsOf: batch)
      return true
    }
  }

  /// Takes up to `limit` writes, oldest first, without waiting.
  func take(upTo limit: Int) -> [Item] {
    state.withLock { state in
      let batch = Array(state.items.prefix(limit))
      state.items.removeFirst(batch.count)
      return batch
    }
  }

  var count: Int { state.withLock { $0.items.count } }
}

/// Writes taken from the queue and not yet finished, by device: the first of a device runs,
/// later ones wait behind it in the order accepted.
final class WriteLanes: Sendable {
  private struct State {
    var waiting: [String: [WriteQueue.Item]] = [:]
    var count = 0
  }

  private let state = Mutex(State())

  /// Adds `item`; `true` when its device had no lane, so the caller starts one with it.
  func admit(_ item: WriteQueue.Item) -> Bool {
    state.withLock { state in
      state.count += 1
      if state.waiting[item.device.id] != nil {
        state.waiting[item.device.id]!.append(item)
        return false
      }
      state.waiting[item.device.id] = []
      return true
    }
  }

  /// Marks `item` done; returns its device's next write, or nil when the lane ends.
  func finished(_ item: WriteQueue.Item) -> WriteQueue.Item? {
    state.withLock { state in
      state.count -= 1
      guard var rest = state.waiting[item.device.id], !rest.isEmpty else {
        state.waiting[item.device.id] = nil
        return nil
      }
      let next = rest.removeFirst()
      state.waiting[item.device.id] = rest
      return next
    }
  }

  /// Writes admitted and not finished, running or waiting.
  var count: Int { state.withLock { $0.count } }
}
