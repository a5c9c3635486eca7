import Synchronization

/// One consumer's place in the ``EventJournal`` with its ``EventFilter``: what an SSE client,
/// a WebSocket event stream or a webhook destination follows.
///
/// ```swift
/// var subscription = EventSubscription(journal: commands.events, filter: filter, after: lastEventID)
/// while let batch = await subscription.next(waiting: .seconds(15), stop: stop) {
///   if batch.missed > 0 { /* tell the client */ }
///   for event in batch.events { /* send */ }   // empty: the wait timed out (heartbeat)
/// }
/// ```
public struct EventSubscription: Sendable {
  /// What ``next(limit:waiting:stop:)`` found.
  public struct Batch: Sendable {
    /// Events after the cursor that the journal no longer kept (of every kind, filtered or
    /// not: the journal cannot tell what they were).
    public var missed: UInt64
    /// The matching events, oldest first; empty when the wait timed out.
    public var events: [ServerEvent]
  }

  public let journal: EventJournal
  public let filter: EventFilter
  /// The ID of the last event looked at (delivered or filtered out).
  public private(set) var cursor: UInt64
  private let bell: Attachment

  /// - Parameter lastEventID: resume after this ID (SSE `Last-Event-ID`): every event after it
  ///   still kept comes first. nil: only events published from now on. An ID above the
  ///   journal's newest was issued by an earlier server run (IDs restart at 1), so the
  ///   subscription starts from the oldest event kept rather than waiting for that ID.
  public init(journal: EventJournal, filter: EventFilter, after lastEventID: UInt64?) {
    self.journal = journal
    self.filter = filter
    // Attached before the journal is read: an event published from here on rings it.
    bell = Attachment(journal)
    let newest = journal.lastID
    cursor = lastEventID.map { $0 > newest ? 0 : $0 } ?? newest
  }

  /// The next matching events or missed count, waiting for them up to `timeout` (nil: without
  /// limit). Returns an empty batch when `timeout` passed first, nil once `stop` fired or the
  /// task was cancelled. At most `limit` journal entries are looked at per call.
  public mutating func next(limit: Int = 256, waiting timeout: Duration?, stop: StopSignal? = nil) async -> Batch? {
    let deadline = timeout.map { ContinuousClock.now + $0 }
    if let stop { bell.follow(stop) }
    while !Task.isCancelled, !(stop?.isFired ?? false) {
      let page = journal.events(after: cursor, limit: limit)
      if let last = page.events.last {
        cursor = last.id
        let events = page.events.filter(filter.matches)
        if !events.isEmpty || page.missed > 0 { return Batch(missed: page.missed, events: events) }
      } else if deadline.map({ ContinuousClock.now < $0 }) ?? true {
        await bell.doorbell.wait(until: deadline)
      }
      if let deadline, ContinuousClock.now >= deadline, !Task.isCancelled, !(stop?.isFired ?? false) {
        return Batch(missed: 0, events: [])
      }
    }
    return nil
  }

  /// The subscription's doorbell, attached to the journal while any copy of the subscription lives.
  private final class Attachment: Sendable {
    let doorbell = EventDoorbell()
    let journal: EventJournal
    let id: Int
    private let followed = Mutex<ObjectIdentifier?>(nil)

    init(_ journal: EventJournal) {
      self.journal = journal
      id = journal.attach(doorbell)
    }

    deinit { journal.detach(id) }

    /// Rings the doorbell when `stop` fires (registered once per signal).
    func follow(_ stop: StopSignal) {
      let new = followed.withLock { followed -> Bool in
        defer { followed = ObjectIdentifier(stop) }
        return followed != ObjectIdentifier(stop)
      }
      if new { stop.onFire { [doorbell] in doorbell.ring() } }
    }
  }
}

/// A one-shot signal that ends event subscriptions (server shutdown, a WebSocket `stop`).
public final class StopSignal: Sendable {
  private struct State {
    var fired = false
    var actions: [@Sendable () -> Void] = []
  }

  private let state = Mutex(State())

  public init() {}

  public var isFired: Bool { state.withLock { $0.fired } }

  /// Fires the signal, running every ``onFire(_:)`` action; later calls do nothing.
  public func fire() {
    let actions = state.withLock { state in
      state.fired = true
      defer { state.actions.removeAll() }
      return state.actions
    }
    for action in actions { action() }
  }

  /// Runs `action` when the signal fires (at once if it has).
  public func onFire(_ action: @escaping @Sendable () -> Void) {
    let fired = state.withLock { state -> Bool in
      if !state.fired { state.actions.append(action) }
      return state.fired
    }
    if fired { action() }
  }
}
