public import SynseSupport

/// The health of one sensor reading (issue 17): `ok`, `warning` (a caution threshold is
/// active), `critical`, `fatal`, or `unknown` (no reading yet, or the sensor stopped reporting).
public enum HealthState: String, Sendable, Hashable, CaseIterable, Codable {
  case ok, warning, critical, fatal, unknown

  /// The `synse_device_health` metric value: 0 ok, 1 warning, 2 critical, 3 fatal, -1 unknown.
  public var metricValue: Int {
    switch self {
    case .ok: 0
    case .warning: 1
    case .critical: 2
    case .fatal: 3
    case .unknown: -1
    }
  }

  /// The state an active threshold of `level` puts the sensor in.
  public init(_ level: ThresholdKind.Level) {
    switch level {
    case .caution: self = .warning
    case .critical: self = .critical
    case .fatal: self = .fatal
    }
  }
}

/// A change of a sensor's announced health, as ``SensorHealth`` reports it.
///
/// `Instant` is the caller's clock (e.g. `ContinuousClock.Instant`, or a test clock).
public struct HealthTransition<Instant: InstantProtocol>: Sendable, Hashable {
  /// `raised`: from ok to anything else; `cleared`: back to ok; `changed`: between two non-ok
  /// states (escalation, step-down, or to/from `unknown`), or to another threshold kind.
  public enum Event: String, Sendable, Hashable { case raised, changed, cleared }

  public var event: Event
  /// The state now in force.
  public var state: HealthState
  /// The state announced before (`ok` before the first reading).
  public var previous: HealthState
  /// The threshold behind `state` (for `cleared`: the one that cleared; `nil` for `unknown`).
  public var threshold: ThresholdKind?
  /// That threshold's `Reading`, in the reading's unit.
  public var thresholdReading: Double?
  /// The reading that caused the transition (`nil` when the sensor went stale).
  public var value: Double?
  /// When `state` took effect: the reading's time (after any dwell or hysteresis duration), or
  /// the `now` given to ``SensorHealth/stale(now:after:)``.
  public var since: Instant

  public init(
    event: Event, state: HealthState, previous: HealthState, threshold: ThresholdKind?,
    thresholdReading: Double?, value: Double?, since: Instant
  ) {
    self.event = event
    self.state = state
    self.previous = previous
    self.threshold = threshold
    self.thresholdReading = thresholdReading
    self.value = value
    self.since = since
  }
}
