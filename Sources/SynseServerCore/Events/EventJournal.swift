import Synchronization
import SynseSupport

/// The server's event feed: a bounded journal of the latest ``ServerEvent``s with monotonic IDs.
///
/// Every consumer (each SSE client, WebSocket event stream and webhook destination) follows it
/// with its own cursor, the ID of the last event it has, so an alarm storm costs one copy of
/// each event however many subscribers there are, memory stays bounded by `capacity`, and a
/// consumer that comes back (SSE `Last-Event-ID`) resumes where it left off while its events
/// are still kept. A consumer that falls more than `capacity` events behind is told how many it
/// missed (``Page/missed``) instead of slowing down the publishers.
public final class EventJournal: Sendable {
  /// Events after a cursor, oldest first.
  public struct Page: Sendable {
    public var events: [ServerEvent]
    /// Events after the cursor that are no longer kept.
    public var missed: UInt64
  }

  private struct State {
    var ring: [ServerEvent] = []
    /// Index in `ring` of the oldest event once the ring is full.
    var head = 0
    var lastID: UInt64 = 0
    var nextDoorbell = 0
    /// Subscriptions' doorbells, rung on every publish until detached.
    var doorbells: [Int: EventDoorbell] = [:]
  }

  /// How many events are kept.
  public let capacity: Int
  private let state = Mutex(State())

  public init(capacity: Int = 10_000) {
    self.capacity = max(1, capacity)
  }

  /// The ID of the newest event (0 before the first).
  public var lastID: UInt64 { state.withLock { $0.lastID } }

  /// Adds an event with the next ID, the current time and `fields` after `id`, `event` and
  /// `time` in its data, and wakes every waiting consumer.
  @discardableResult
  public func publish(
    _ kind: ServerEvent.Kind, severity: HealthState? = nil, device: String? = nil, plugin: String? = nil,
    tags: Set<String> = [], fields: [(String, JSONValue)]
  ) -> ServerEvent {
    let time = Timestamp.now()
    let (event, doorbells) = state.withLock { state -> (ServerEvent, Dictionary<Int, EventDoorbell>.Values) in
      state.lastID += 1
      let data = JSONFragment(.object([("id", .uint(state.lastID)), ("event", .string(kind.rawValue)), ("time", .string(time))] + fields))
      let event = ServerEvent(id: state.lastID, kind: kind, severity: severity, device: device, plugin: plugin, tags: tags, data: data)
      if state.ring.count < capacity {
        state.ring.append(event)
      } else {
        state.ring[state.head] = event
        state.head = (state.head + 1) % capacity
      }
      return (event, state.doorbells.values)
    }
    for doorbell in doorbells { doorbell.ring() }
    return event
  }

  /// Up to `limit` events with an ID above `cursor`, oldest first.
  public func events(after cursor: UInt64, limit: Int = .max) -> Page {
    state.withLock { state in
      let count = state.ring.count
      guard count > 0, cursor < state.lastID else { return Page(events: [], missed: 0) }
      let oldest = state.lastID - UInt64(count) + 1
      let missed = cursor + 1 < oldest ? oldest - cursor - 1 : 0
      let skip = Int(max(cursor + 1, oldest) - oldest)
      let take = min(limit, count - skip)
      var events: [ServerEvent] = []
      events.reserveCapacity(take)
      for offset in skip..<(skip + take) { events.append(state.ring[(state.head + offset) % count]) }
      return Page(events: events, missed: missed)
    }
  }

  /// Subscriptions following the journal now (SSE clients, WebSocket event streams, webhooks).
  public var subscriptionCount: Int { state.withLock { $0.doorbells.count } }

  /// Rings `doorbell` on every publish until ``detach(_:)`` with the returned ID.
  func attach(_ doorbell: EventDoorbell) -> Int {
    state.withLock { state in
      state.nextDoorbell += 1
      state.doorbells[state.nextDoorbell] = doorbell
      return state.nextDoorbell
    }
  }

  func detach(_ id: Int) {
    _ = state.withLock { $0.doorbells.removeValue(forKey: id) }
  }
}
