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

  /// - Parameter lastEventID: resume after this ID (SSE `Last-Event-ID`): every event after it
  ///   still kept comes first. nil: only events published from now on. An ID above the
  ///   journal's newest was issued by an earlier server run (IDs restart at 1), so the
  ///   subscription starts from the oldest event kept rather than waiting for that ID.
  public init(journal: EventJournal, filter: EventFilter, after lastEventID: UInt64?) {
    self.journal = journal
    self.filter = filter
    let newest = journal.lastID
    cursor = lastEventID.map { $0 > newest ? 0 : $0 } ?? newest
  }

  /// The next matching events or missed count, waiting for them up to `timeout` (nil: without
  /// limit). Returns an empty batch when `timeout` passed first, nil once `stop` fired or the
  /// task was cancelled. At most `limit` journal entries are looked at per call.
  public mutating func next(limit: Int = 256, waiting timeout: Duration?, stop: StopSignal? = nil) async -> Batch? {
    let deadline = timeout.map { ContinuousClock.now + $0 }
    while !Task.isCancelled, !(stop?.isFired ?? false) {
      let page = journal.events(after: cursor, limit: limit)
      if let last = page.events.last {
        cursor = last.id
        let events = page.events.filter(filter.matches)
        if !events.isEmpty || page.missed > 0 { return Batch(missed: page.missed, events: events) }
      } else {
        await Self.wait(journal, after: cursor, until: deadline, stop: stop)
      }
      if let deadline, ContinuousClock.now >= deadline, !Task.isCancelled, !(stop?.isFired ?? false) {
        return Batch(missed: 0, events: [])
      }
    }
    return nil
  }

  /// Returns when an event after `cursor` exists, `deadline` passed or `stop` fired.
  private static func wait(_ journal: EventJournal, after cursor: UInt64, until deadline: ContinuousClock.Instant?, stop: StopSignal?) async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await journal.wait(after: cursor) }
      if let deadline { group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) } }
      if let stop { group.addTask { await stop.wait() } }
      await group.next()
      group.cancelAll()
    }
  }
}

/// A one-shot signal that ends event subscriptions (server shutdown, a WebSocket `stop`).
public final class StopSignal: Sendable {
  private struct State {
    var fired = false
    /// One stream per waiting call, finished by ``fire()``.
    var waiters: [Int: AsyncStream<Void>.Continuation] = [:]
    var next = 0
  }

  private let state = Mutex(State())

  public init() {}

  public var isFired: Bool { state.withLock { $0.fired } }

  /// Fires the signal, waking every waiter; later calls do nothing.
  public func fire() {
    let waiters = state.withLock { state in
      state.fired = true
      defer { state.waiters.removeAll() }
      return Array(state.waiters.values)
    }
    for waiter in waiters { waiter.finish() }
  }

  /// Returns once the signal fired or the task is cancelled (an `AsyncStream` iteration ends
  /// on cancellation by itself).
  public func wait() async {
    let (stream, continuation) = AsyncStream<Void>.makeStream()
    let id = state.withLock { state -> Int? in
      guard !state.fired else { return nil }
      state.next += 1
      state.waiters[state.next] = continuation
      return state.next
    }
    guard let id else { return }
    defer { state.withLock { _ = $0.waiters.removeValue(forKey: id) } }
    for await _ in stream {}
  }
}
