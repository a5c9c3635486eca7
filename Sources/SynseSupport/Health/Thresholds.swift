/// One threshold of a sensor reading (Redfish `Sensor.v1_7_0` `Threshold`).
///
/// - `reading`: the threshold value, in the reading's own unit (e.g. °C for temperature).
/// - `activation`: the crossing direction that activates it (see ``ThresholdActivation``).
/// - `dwellTime`: how long the value must stay beyond `reading` before the threshold
///   activates (Redfish `DwellTime`); zero activates on the first reading beyond it.
public struct Threshold: Sendable, Hashable {
  public var reading: Double
  public var activation: ThresholdActivation
  public var dwellTime: Duration

  public init(reading: Double, activation: ThresholdActivation = .either, dwellTime: Duration = .zero) {
    self.reading = reading
    self.activation = activation
    self.dwellTime = dwellTime
  }
}

/// The thresholds of one sensor reading (Redfish `Sensor.Thresholds`): up to six thresholds and
/// one hysteresis shared by all of them.
///
/// - `hysteresisReading`: how far (in the reading's unit, ≥ 0) the value must be back inside a
///   threshold before it can clear: an upper threshold clears below `reading - hysteresisReading`,
///   a lower one above `reading + hysteresisReading`. Redfish 1.7 gives each `Threshold` its own
///   signed `HysteresisReading`; Synse keeps one non-negative magnitude per reading (issue 17).
/// - `hysteresisDuration`: how long the value must stay back before the threshold clears.
///
/// Build with the initializer and call ``validate()`` (the JSON decoder does).
public struct Thresholds: Sendable, Hashable {
  public var lowerCaution: Threshold?
  public var upperCaution: Threshold?
  public var lowerCritical: Threshold?
  public var upperCritical: Threshold?
  public var lowerFatal: Threshold?
  public var upperFatal: Threshold?
  public var hysteresisReading: Double
  public var hysteresisDuration: Duration

  public init(
    lowerCaution: Threshold? = nil, upperCaution: Threshold? = nil,
    lowerCritical: Threshold? = nil, upperCritical: Threshold? = nil,
    lowerFatal: Threshold? = nil, upperFatal: Threshold? = nil,
    hysteresisReading: Double = 0, hysteresisDuration: Duration = .zero
  ) {
    self.lowerCaution = lowerCaution
    self.upperCaution = upperCaution
    self.lowerCritical = lowerCritical
    self.upperCritical = upperCritical
    self.lowerFatal = lowerFatal
    self.upperFatal = upperFatal
    self.hysteresisReading = hysteresisReading
    self.hysteresisDuration = hysteresisDuration
  }

  /// The threshold of `kind`, if set.
  public subscript(kind: ThresholdKind) -> Threshold? {
    get {
      switch kind {
      case .lowerCaution: lowerCaution
      case .upperCaution: upperCaution
      case .lowerCritical: lowerCritical
      case .upperCritical: upperCritical
      case .lowerFatal: lowerFatal
      case .upperFatal: upperFatal
      }
    }
    set {
      switch kind {
      case .lowerCaution: lowerCaution = newValue
      case .upperCaution: upperCaution = newValue
      case .lowerCritical: lowerCritical = newValue
      case .upperCritical: upperCritical = newValue
      case .lowerFatal: lowerFatal = newValue
      case .upperFatal: upperFatal = newValue
      }
    }
  }

  /// True when no threshold is set (nothing to evaluate).
  public var isEmpty: Bool { ThresholdKind.allCases.allSatisfy { self[$0] == nil } }

  /// Checks the values make sense, in this order:
  /// 1. every `Reading` and `HysteresisReading` is finite;
  /// 2. no `DwellTime`, `HysteresisReading` or `HysteresisDuration` is negative;
  /// 3. the order `LowerFatal ≤ LowerCritical ≤ LowerCaution < UpperCaution ≤ UpperCritical ≤
  ///    UpperFatal` holds among the thresholds that are set (equal levels on one side are
  ///    allowed: a level is then skipped).
  ///
  /// - Throws: ``ThresholdsError`` naming the Redfish key, e.g. `UpperCaution.Reading`.
  public func validate() throws(ThresholdsError) {
    for kind in ThresholdKind.allCases {
      guard let threshold = self[kind] else { continue }
      if !threshold.reading.isFinite { throw .nonFinite(key: "\(kind.redfishKey).Reading") }
      if threshold.dwellTime < .zero { throw .negative(key: "\(kind.redfishKey).DwellTime") }
    }
    if !hysteresisReading.isFinite { throw .nonFinite(key: "HysteresisReading") }
    if hysteresisReading < 0 { throw .negative(key: "HysteresisReading") }
    if hysteresisDuration < .zero { throw .negative(key: "HysteresisDuration") }
    // Lowest first: each set threshold must not be above the next set one.
    let order: [ThresholdKind] = [.lowerFatal, .lowerCritical, .lowerCaution, .upperCaution, .upperCritical, .upperFatal]
    var previous: (kind: ThresholdKind, reading: Double)?
    for kind in order {
      guard let reading = self[kind]?.reading else { continue }
      if let below = previous {
        let crossesSides = below.kind.bound == .lower && kind.bound == .upper
        if reading < below.reading || (crossesSides && reading == below.reading) {
          throw .inverted(key: kind.redfishKey, reading: reading, otherKey: below.kind.redfishKey, otherReading: below.reading)
        }
      }
      previous = (kind, reading)
    }
  }
}
