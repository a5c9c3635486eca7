import SynseSupport

/// Redfish thresholds → Synse ``Thresholds`` (docs/health.md), validated.
enum ThresholdMapping {
  /// Why a resource's thresholds were dropped (the caller records it as a problem).
  struct Refused: Error {
    var reason: String
  }

  /// `Sensor.Thresholds` (Sensor v1_x): the six standard thresholds with their `Activation` and
  /// `DwellTime`; a threshold whose `Reading` is null or whose `Activation` is `Disabled` is
  /// not set. Redfish gives each threshold its own signed `HysteresisReading` and
  /// `HysteresisDuration`; Synse keeps one non-negative pair per reading, so the largest
  /// magnitude and the longest duration are taken: no threshold then clears sooner than the
  /// service asked.
  ///
  /// - Parameter ignored: told of each threshold left out for a `Reading` that is not a number.
  /// - Returns: nil when no threshold is set.
  /// - Throws: ``Refused`` for an unknown `Activation`, a duration that is not ISO 8601, or a set
  ///   that fails ``Thresholds/validate()`` (e.g. `UpperCritical` below `UpperCaution`).
  static func sensor(_ source: SensorThresholds?, ignored: (String) -> Void) throws(Refused) -> Thresholds? {
    guard let source else { return nil }
    let pairs: [(ThresholdKind, SensorThreshold?)] = [
      (.lowerCaution, source.LowerCaution), (.upperCaution, source.UpperCaution),
      (.lowerCritical, source.LowerCritical), (.upperCritical, source.UpperCritical),
      (.lowerFatal, source.LowerFatal), (.upperFatal, source.UpperFatal),
    ]
    var result = Thresholds()
    for case (let kind, let threshold?) in pairs {
      let key = kind.redfishKey
      if let invalid = threshold.Reading?.invalid {
        ignored("\(key).Reading \(invalid) is not a number: that threshold ignored")
        continue
      }
      guard let reading = threshold.Reading?.value, threshold.Activation != "Disabled" else { continue }
      var activation = ThresholdActivation.either
      if let text = threshold.Activation {
        guard let known = ThresholdActivation(rawValue: text) else {
          throw Refused(reason: "\(key).Activation \"\(text)\" is not Increasing, Decreasing, Either or Disabled")
        }
        activation = known
      }
      let dwell = try duration(threshold.DwellTime, key: "\(key).DwellTime")
      result[kind] = Threshold(reading: reading, activation: activation, dwellTime: dwell)
      if let hysteresis = threshold.HysteresisReading {
        result.hysteresisReading = max(result.hysteresisReading, abs(hysteresis))
      }
      let hold = try duration(threshold.HysteresisDuration, key: "\(key).HysteresisDuration")
      result.hysteresisDuration = max(result.hysteresisDuration, hold)
    }
    return try validated(result)
  }

  /// Legacy `Thermal`/`Power` members: `…ThresholdNonCritical` is caution, `…Critical` critical,
  /// `…Fatal` fatal (Thermal v1_x, Power v1_x), activation `Either`, no dwell.
  /// A property that is not a number is left out and `ignored` told.
  static func legacy(_ member: LegacyReading, ignored: (String) -> Void) throws(Refused) -> Thresholds? {
    func threshold(_ number: ThresholdNumber?, _ property: String) -> Threshold? {
      if let invalid = number?.invalid { ignored("\(property) \(invalid) is not a number: that threshold ignored") }
      return number?.value.map { Threshold(reading: $0) }
    }
    let result = Thresholds(
      lowerCaution: threshold(member.LowerThresholdNonCritical, "LowerThresholdNonCritical"),
      upperCaution: threshold(member.UpperThresholdNonCritical, "UpperThresholdNonCritical"),
      lowerCritical: threshold(member.LowerThresholdCritical, "LowerThresholdCritical"),
      upperCritical: threshold(member.UpperThresholdCritical, "UpperThresholdCritical"),
      lowerFatal: threshold(member.LowerThresholdFatal, "LowerThresholdFatal"),
      upperFatal: threshold(member.UpperThresholdFatal, "UpperThresholdFatal"))
    return try validated(result)
  }

  private static func validated(_ thresholds: Thresholds) throws(Refused) -> Thresholds? {
    if thresholds.isEmpty { return nil }
    do { try thresholds.validate() } catch { throw Refused(reason: error.description) }
    return thresholds
  }

  private static func duration(_ text: String?, key: String) throws(Refused) -> Duration {
    guard let text else { return .zero }
    guard let duration = ISO8601Duration.parse(text) else {
      throw Refused(reason: "\(key) \"\(text)\" is not an ISO 8601 duration such as PT5S")
    }
    return duration
  }
}
