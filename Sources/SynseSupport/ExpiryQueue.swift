/// Keys in the order they expire, for a store whose entries all live one fixed TTL from when
/// they were added: expiring is taking keys off the front while they are due, so each call
/// costs what it expires rather than a scan of the whole store (a scan on every lookup made
/// write polling slow down as transactions piled up).
///
/// A key added again gets a second place in the queue; the store checks its own entry's time
/// before removing, so the earlier place does not expire the newer entry.
public struct ExpiryQueue<Key: Hashable & Sendable, Instant: Comparable & Sendable>: Sendable {
  private var queue: [(key: Key, expires: Instant)] = []
  private var head = 0

  public init() {}

  /// Queues `key`; `expires` must not be earlier than that of any key queued before it.
  public mutating func append(_ key: Key, expires: Instant) {
    queue.append((key, expires))
  }

  /// Takes every key whose expiry `isDue`, oldest first, handing each to `expire`.
  public mutating func expire(isDue: (Instant) -> Bool, _ expire: (Key) -> Void) {
    while head < queue.count, isDue(queue[head].expires) {
      expire(queue[head].key)
      head += 1
    }
    if head == queue.count {
      queue.removeAll(keepingCapacity: queue.count < 1024)
      head = 0
    } else if head >= 1024, head * 2 >= queue.count {
      queue.removeFirst(head)
      head = 0
    }
  }

  /// Places in the queue, including those of keys added again.
  public var count: Int { queue.count - head }
}
