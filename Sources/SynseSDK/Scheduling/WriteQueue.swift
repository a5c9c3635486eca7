import Synchronization

/// Writes accepted by `WriteAsync`/`WriteSync`, waiting for the write loop.
final class WriteQueue: Sendable {
  struct Item: Sendable {
    let transactionID: String
    let device: Device
    let write: WriteData
  }

  private let items = Mutex<[Item]>([])
  let capacity: Int

  init(capacity: Int) {
    self.capacity = capacity
  }

  /// Queues a write; `false` when the queue is full (the caller reports it, nothing is lost).
  func enqueue(_ item: Item) -> Bool {
    items.withLock { items in
      guard items.count < capacity else { return false }
      items.append(item)
      return true
    }
  }

  /// Takes up to `limit` writes, oldest first, without waiting.
  func take(upTo limit: Int) -> [Item] {
    items.withLock { items in
      let batch = Array(items.prefix(limit))
      items.removeFirst(batch.count)
      return batch
    }
  }

  var count: Int { items.withLock { $0.count } }
}
