/// When to try an unreachable plugin (or a source not registered yet) again, and whether a
/// failure is worth a log line.
///
/// While the plugin is *expected back* (for ``expectedBack`` after it was last seen, or after
/// its address appeared) it is tried every ``fastInterval``, so a restarted plugin is back
/// within that interval of listening. After that window, docs/api-v3.md §8.6's exponential backoff
/// takes over (up to 512 s), so an address that is really gone is not hammered. Requests that
/// need the plugin may try it at once, but not more often than ``onDemandInterval``.
struct ReconnectSchedule: Sendable {
  static let expectedBack: Duration = .seconds(30)
  static let fastInterval: Duration = .milliseconds(250)
  static let onDemandInterval: Duration = .seconds(1)

  /// When the plugin was last seen, or its address first appeared.
  let since: ContinuousClock.Instant
  private(set) var due: ContinuousClock.Instant
  private(set) var lastAttempt: ContinuousClock.Instant?
  private var backoff = Backoff()
  /// Whether a failure of this outage was logged already (one line per outage).
  private var logged = false

  init(now: ContinuousClock.Instant = .now) {
    since = now
    due = now
  }

  func isDue(at now: ContinuousClock.Instant) -> Bool { due <= now }

  /// Whether a request may trigger an attempt now: inside the expected-back window the
  /// background attempts are as frequent as useful, after it one attempt per second at most.
  func allowsAttempt(at now: ContinuousClock.Instant) -> Bool {
    guard let lastAttempt else { return true }
    let interval = now - since < Self.expectedBack ? Self.fastInterval : Self.onDemandInterval
    return now - lastAttempt >= interval
  }

  /// Records a failed attempt and schedules the next; returns whether to log it (only the
  /// first failure of an outage: the state changed from unknown or reachable to unreachable).
  mutating func failed(at now: ContinuousClock.Instant) -> Bool {
    lastAttempt = now
    due = now + (now - since < Self.expectedBack ? Self.fastInterval : backoff.nextDelay())
    defer { logged = true }
    return !logged
  }

  /// Records an attempt started now (for the on-demand rate limit).
  mutating func attempted(at now: ContinuousClock.Instant) {
    lastAttempt = now
  }
}
