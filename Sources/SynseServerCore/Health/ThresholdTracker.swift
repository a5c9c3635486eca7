import SynseSupport

/// The state of one threshold of one sensor (Redfish `Sensor.Thresholds` semantics):
///
///     inactive --beyond--> pending --beyond for DwellTime--> active
///     active --back by > HysteresisReading--> clearing --back for HysteresisDuration--> inactive
///
/// "Beyond" is at or past `reading` on the threshold's side (≥ for above, ≤ for below, as
/// OpenBMC's dbus-sensors asserts); "back" is strictly past `reading ∓ hysteresisReading` on
/// the other side. A pending threshold whose value comes back before the dwell ends starts over;
/// a clearing one whose value goes beyond the band again stays active. So a value that wobbles
/// inside the hysteresis band neither raises again nor clears.
///
/// A plain struct: no allocation, no Foundation, a few comparisons per reading.
struct ThresholdTracker<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
  enum Phase: Sendable {
    case inactive
    case pending(since: Instant)
    case active
    case clearing(since: Instant)
  }

  let kind: ThresholdKind
  /// The threshold value, in the reading's unit.
  let reading: Double
  /// True when the violation side is above `reading` (from ``ThresholdActivation``).
  let above: Bool
  let dwellTime: Duration
  /// `reading - hysteresis` for an above-side threshold, `reading + hysteresis` otherwise.
  let clearLine: Double
  private(set) var phase: Phase = .inactive

  init(kind: ThresholdKind, threshold: Threshold, hysteresisReading: Double) {
    self.kind = kind
    reading = threshold.reading
    above = threshold.activation.isAbove(for: kind)
    dwellTime = threshold.dwellTime
    clearLine = above ? threshold.reading - hysteresisReading : threshold.reading + hysteresisReading
  }

  /// Whether the threshold is in force (active, or clearing but not yet cleared).
  var isActive: Bool {
    switch phase {
    case .active, .clearing: true
    case .inactive, .pending: false
    }
  }

  /// Advances the state with a reading `value` taken at `time`.
  ///
  /// - Returns: ``isActive`` after the reading.
  mutating func update(_ value: Double, at time: Instant, hysteresisDuration: Duration) -> Bool {
    switch phase {
    case .inactive, .pending:
      let beyond = above ? value >= reading : value <= reading
      phase = beyond ? Self.wait(from: timerStart ?? time, to: time, for: dwellTime, then: .active, meanwhile: Phase.pending) : .inactive
    case .active, .clearing:
      let back = above ? value < clearLine : value > clearLine
      phase = back ? Self.wait(from: timerStart ?? time, to: time, for: hysteresisDuration, then: .inactive, meanwhile: Phase.clearing) : .active
    }
    return isActive
  }

  /// When the running dwell or hysteresis timer started (`nil` when none runs).
  private var timerStart: Instant? {
    switch phase {
    case .pending(let since), .clearing(let since): since
    case .inactive, .active: nil
    }
  }

  /// `then` once `duration` has passed between `start` and `time`; until then `meanwhile(start)`.
  private static func wait(
    from start: Instant, to time: Instant, for duration: Duration, then: Phase, meanwhile: (Instant) -> Phase
  ) -> Phase {
    start.duration(to: time) >= duration ? then : meanwhile(start)
  }

  /// Makes the threshold active at once if `value` is beyond it: the sensor's previous
  /// thresholds had this kind in force when they were replaced, so the condition already held
  /// (a dwell filters a new crossing, not one that outlived a change of limits).
  mutating func establish(_ value: Double) {
    if above ? value >= reading : value <= reading { phase = .active }
  }

  /// Forgets running timers (the sensor went `unknown`: a gap in readings must count towards
  /// neither a dwell time nor a hysteresis duration). An active threshold stays active, so a
  /// sensor that comes back still beyond it does not announce a false clear.
  mutating func forgetTimers() {
    switch phase {
    case .inactive, .active: break
    case .pending: phase = .inactive
    case .clearing: phase = .active
    }
  }
}
