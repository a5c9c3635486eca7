public import SynseSupport

/// The health state machine of one sensor reading (device + reading type [+ context]).
///
/// Feed it every reading with ``observe(_:at:)``, and call ``stale(now:after:)`` on a timer;
/// each returns the ``HealthTransition`` it caused, if any. Rules (Redfish `Sensor.Thresholds`,
/// docs/health.md):
/// - each threshold activates after the value has stayed at or beyond it for its `DwellTime`,
///   and deactivates once the value has been back by more than `HysteresisReading` for
///   `HysteresisDuration` (see ``ThresholdTracker``);
/// - the state is the level of the most severe active threshold (`warning` for caution), so a
///   rising value escalates caution → critical → fatal and a falling one steps back one
///   threshold at a time, each with its own hysteresis;
/// - `unknown` when no reading came for `after` (or ``markUnknown(at:)``, e.g. plugin gone);
///   running dwell and hysteresis timers are dropped (a gap counts towards neither), active
///   thresholds stay active, and the next reading announces the state it then finds.
///
/// Transitions compare with the last *announced* state, which is `ok` before the first reading:
/// a healthy sensor's first reading announces nothing. Non-finite values are ignored.
///
/// `Instant` is the caller's clock: `ContinuousClock.Instant` in the server, an explicit clock
/// in tests. Cost per reading: one pass over at most six trackers; no allocation, no Foundation.
public struct SensorHealth<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
  /// The validated thresholds this sensor is evaluated against.
  public let thresholds: Thresholds
  private var trackers: [ThresholdTracker<Instant>]
  /// The current state (`unknown` until the first reading).
  public private(set) var state: HealthState = .unknown
  /// The time of the last finite reading, or of creation before the first one.
  public private(set) var lastSeen: Instant
  private var announced: HealthState = .ok
  private var announcedKind: ThresholdKind?
  /// Kinds in force under the thresholds this sensor replaced, established by the first reading.
  private var carried: [ThresholdKind] = []

  /// - Parameters:
  ///   - thresholds: validated here.
  ///   - start: when the sensor was first known (staleness counts from it until a reading).
  /// - Throws: ``ThresholdsError`` from ``Thresholds/validate()``.
  public init(thresholds: Thresholds, start: Instant) throws(ThresholdsError) {
    try thresholds.validate()
    self.thresholds = thresholds
    trackers = ThresholdKind.allCases.compactMap { kind in
      thresholds[kind].map { ThresholdTracker(kind: kind, threshold: $0, hysteresisReading: thresholds.hysteresisReading) }
    }
    lastSeen = start
  }

  /// Takes over `previous`'s announced state when a device-cache build gave this sensor new
  /// thresholds, so a change of limits announces nothing by itself. The first reading then
  /// decides: each new threshold of a kind that was in force is active at once if the value is
  /// beyond it, other thresholds dwell as usual, and the announcement compares with the state
  /// kept (an alarm that no longer holds clears, an `unknown` sensor announces what it finds).
  public mutating func carryOver(from previous: SensorHealth) {
    state = previous.state
    announced = previous.announced
    announcedKind = previous.announcedKind
    carried = previous.trackers.filter(\.isActive).map(\.kind)
  }

  /// Evaluates a reading `value` (in the thresholds' unit) taken at `time`.
  ///
  /// - Parameter alarm: a level the hardware itself reports for this reading (reading context
  ///   `synse.alarm`, ``ReadingAlarm``): the state is at least that level for as long as the
  ///   readings carry it, with no dwell and no hysteresis (the hardware has its own).
  /// - Returns: the transition it caused, or `nil` if the announced state is unchanged.
  public mutating func observe(_ value: Double, at time: Instant, alarm: ThresholdKind.Level? = nil) -> HealthTransition<Instant>? {
    guard value.isFinite else { return nil }
    lastSeen = time
    if !carried.isEmpty {
      for index in trackers.indices where carried.contains(trackers[index].kind) { trackers[index].establish(value) }
      carried = []
    }
    let hysteresisDuration = thresholds.hysteresisDuration
    var top = -1
    for index in trackers.indices where trackers[index].update(value, at: time, hysteresisDuration: hysteresisDuration) {
      if top < 0 || trackers[index].kind.level > trackers[top].kind.level { top = index }
    }
    if let alarm, top < 0 || alarm > trackers[top].kind.level {
      state = HealthState(alarm)
      return announce(state, kind: nil, value: value, at: time)
    }
    if top < 0 {
      state = .ok
      return announce(.ok, kind: nil, value: value, at: time)
    }
    let kind = trackers[top].kind
    state = HealthState(kind.level)
    return announce(state, kind: kind, value: value, at: time)
  }

  /// Marks the sensor `unknown` if nothing was seen for `after` (e.g. 3 read intervals) up to
  /// `now`; otherwise does nothing.
  ///
  /// - Returns: the transition to `unknown`, or `nil` if fresh or already unknown.
  public mutating func stale(now: Instant, after: Duration) -> HealthTransition<Instant>? {
    guard lastSeen.duration(to: now) >= after else { return nil }
    return markUnknown(at: now)
  }

  /// Marks the sensor `unknown` now (e.g. its plugin went inactive), dropping running dwell
  /// and hysteresis timers.
  ///
  /// - Returns: the transition to `unknown`, or `nil` if already announced unknown.
  public mutating func markUnknown(at time: Instant) -> HealthTransition<Instant>? {
    state = .unknown
    for index in trackers.indices { trackers[index].forgetTimers() }
    return announce(.unknown, kind: nil, value: nil, at: time)
  }

  private mutating func announce(
    _ new: HealthState, kind: ThresholdKind?, value: Double?, at time: Instant
  ) -> HealthTransition<Instant>? {
    guard new != announced || kind != announcedKind else { return nil }
    let event: HealthTransition<Instant>.Event = announced == .ok ? .raised : (new == .ok ? .cleared : .changed)
    // A clear names the threshold that cleared; anything else the one now in force.
    let named = new == .ok ? announcedKind : kind
    let transition = HealthTransition(
      event: event, state: new, previous: announced, threshold: named,
      thresholdReading: named.flatMap { thresholds[$0]?.reading }, value: value, since: time)
    announced = new
    announcedKind = kind
    return transition
  }
}
