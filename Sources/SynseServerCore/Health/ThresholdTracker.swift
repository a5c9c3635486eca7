public import SynseSupport

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
      guard above ? value >= reading : value <= reading else {
        phase = .inactive
        return false
      }
      let start: Instant
      if case .pending(let since) = phase { start = since } else { start = time }
      if start.duration(to: time) >= dwellTime {
        phase = .active
        return true
      }
      phase = .pending(since: start)
      return false
    case .active, .clearing:
      guard above ? value < clearLine : value > clearLine else {
        phase = .active
        return true
      }
      let start: Instant
      if case .clearing(let since) = phase { start = since } else { start = time }
      if start.duration(to: time) >= hysteresisDuration {
        phase = .inactive
        return false
      }
      phase = .clearing(since: start)
      return true
    }
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
