import SynseServerCore
import SynseSupport
import Testing

/// An explicit clock: instants are offsets from zero, so tests set time exactly (no sleeping).
struct TestInstant: InstantProtocol {
  var offset: Duration
  func advanced(by duration: Duration) -> TestInstant { TestInstant(offset: offset + duration) }
  func duration(to other: TestInstant) -> Duration { other.offset - offset }
  static func < (a: TestInstant, b: TestInstant) -> Bool { a.offset < b.offset }
}

/// `seconds` after time zero.
func at(_ seconds: Double) -> TestInstant { TestInstant(offset: .seconds(seconds)) }

typealias Transition = HealthTransition<TestInstant>

/// Feeds `(time in s, value)` pairs; returns the transitions they caused, in order.
func feed(_ health: inout SensorHealth<TestInstant>, _ readings: [(Double, Double)]) -> [Transition] {
  readings.compactMap { health.observe($0.1, at: at($0.0)) }
}

/// The per-sensor state machine (docs/health.md §State machine; Redfish Sensor.Thresholds).
struct SensorHealthTests {
  @Test func raisesAfterTheDwellTimeAndNotBefore() throws {
    var health = try SensorHealth(
      thresholds: Thresholds(upperCaution: Threshold(reading: 80, dwellTime: .seconds(5))), start: at(0))
    #expect(health.state == .unknown)
    #expect(health.observe(70, at: at(0)) == nil)  // a healthy first reading announces nothing
    #expect(health.state == .ok)
    #expect(feed(&health, [(1, 85), (2, 90), (5.9, 85)]).isEmpty)  // beyond for 4.9 s
    #expect(health.state == .ok)
    let raised = health.observe(85, at: at(6))  // beyond for 5 s
    #expect(
      raised
        == Transition(event: .raised, state: .warning, previous: .ok, threshold: .upperCaution, thresholdReading: 80, value: 85, since: at(6)))
    // A dip below the threshold restarts the dwell.
    var dipping = try SensorHealth(
      thresholds: Thresholds(upperCaution: Threshold(reading: 80, dwellTime: .seconds(5))), start: at(0))
    #expect(feed(&dipping, [(0, 85), (3, 79.9), (4, 85), (8.5, 85)]).isEmpty)
    #expect(dipping.observe(85, at: at(9))?.event == .raised)
  }

  @Test func aValueAtTheThresholdIsBeyondIt() throws {
    var health = try SensorHealth(thresholds: Thresholds(upperCaution: Threshold(reading: 80)), start: at(0))
    #expect(health.observe(79.99, at: at(0)) == nil)
    #expect(health.observe(80, at: at(1))?.state == .warning)
  }

  @Test func aValueWobblingInsideTheHysteresisBandRaisesOnceAndClearsOnce() throws {
    var health = try SensorHealth(
      thresholds: Thresholds(upperCaution: Threshold(reading: 80), hysteresisReading: 2), start: at(0))
    // Clears only below 78: everything from 78 up keeps the threshold.
    let wobble: [Double] = [79, 81, 79, 80.5, 78, 81, 78.5, 80, 79.9, 82, 78.01]
    let transitions = feed(&health, wobble.enumerated().map { (Double($0.offset), $0.element) } + [(20, 77.9), (21, 79), (22, 77)])
    #expect(transitions.map(\.event) == [.raised, .cleared])
    #expect(transitions.last == Transition(event: .cleared, state: .ok, previous: .warning, threshold: .upperCaution, thresholdReading: 80, value: 77.9, since: at(20)))
  }

  @Test func clearsOnlyAfterStayingBackForTheHysteresisDuration() throws {
    var health = try SensorHealth(
      thresholds: Thresholds(upperCaution: Threshold(reading: 80), hysteresisReading: 1, hysteresisDuration: .seconds(3)),
      start: at(0))
    #expect(health.observe(85, at: at(0))?.event == .raised)
    // Back at 1 s, over the band again at 2 s (restarts), back from 3 s: not cleared before 6 s.
    #expect(feed(&health, [(1, 70), (2, 79.5), (3, 70), (5, 70), (5.99, 70)]).isEmpty)
    #expect(health.state == .warning)
    #expect(health.observe(70, at: at(6))?.event == .cleared)
  }

  @Test func escalatesCautionCriticalFatalAndRecoversStepByStep() throws {
    var health = try SensorHealth(
      thresholds: Thresholds(
        upperCaution: Threshold(reading: 80), upperCritical: Threshold(reading: 90), upperFatal: Threshold(reading: 100),
        hysteresisReading: 2),
      start: at(0))
    let transitions = feed(&health, [(0, 70), (1, 85), (2, 95), (3, 101), (4, 99), (5, 97), (6, 89), (7, 87), (8, 79), (9, 77)])
    #expect(transitions.map(\.event) == [.raised, .changed, .changed, .changed, .changed, .cleared])
    #expect(transitions.map(\.state) == [.warning, .critical, .fatal, .critical, .warning, .ok])
    #expect(transitions.map(\.previous) == [.ok, .warning, .critical, .fatal, .critical, .warning])
    #expect(transitions.map(\.threshold) == [.upperCaution, .upperCritical, .upperFatal, .upperCritical, .upperCaution, .upperCaution])
    #expect(transitions.map(\.thresholdReading) == [80, 90, 100, 90, 80, 80])
    #expect(transitions.map(\.since) == [at(1), at(2), at(3), at(5), at(7), at(9)])
    // A jump straight past caution raises critical at once.
    #expect(health.observe(95, at: at(10))?.state == .critical)
  }

  @Test func lowerThresholdsWorkDownwards() throws {
    var health = try SensorHealth(
      thresholds: Thresholds(lowerCaution: Threshold(reading: 10), lowerCritical: Threshold(reading: 5), hysteresisReading: 1),
      start: at(0))
    let transitions = feed(&health, [(0, 20), (1, 9), (2, 4), (3, 5.5), (4, 6.5), (5, 10.5), (6, 11.5)])
    #expect(transitions.map(\.state) == [.warning, .critical, .warning, .ok])
    #expect(transitions.map(\.threshold) == [.lowerCaution, .lowerCritical, .lowerCaution, .lowerCaution])
    #expect(transitions.map(\.since) == [at(1), at(2), at(4), at(6)])
  }

  @Test func activationPicksTheSideThatViolates() throws {
    // Either (the default) is the kind's own side; Increasing/Decreasing choose above/below.
    var upperDecreasing = try SensorHealth(
      thresholds: Thresholds(upperCaution: Threshold(reading: 80, activation: .decreasing)), start: at(0))
    #expect(upperDecreasing.observe(90, at: at(0)) == nil)
    #expect(upperDecreasing.observe(75, at: at(1))?.state == .warning)
    var lowerIncreasing = try SensorHealth(
      thresholds: Thresholds(lowerCaution: Threshold(reading: 10, activation: .increasing)), start: at(0))
    #expect(lowerIncreasing.observe(5, at: at(0)) == nil)
    #expect(lowerIncreasing.observe(12, at: at(1))?.state == .warning)
    var upperExplicit = try SensorHealth(
      thresholds: Thresholds(upperCaution: Threshold(reading: 80, activation: .increasing)), start: at(0))
    var upperEither = try SensorHealth(
      thresholds: Thresholds(upperCaution: Threshold(reading: 80, activation: .either)), start: at(0))
    let values: [(Double, Double)] = [(0, 50), (1, 81), (2, 70)]
    #expect(feed(&upperExplicit, values).map(\.state) == [.warning, .ok])
    #expect(feed(&upperEither, values).map(\.state) == [.warning, .ok])
    var lowerEither = try SensorHealth(thresholds: Thresholds(lowerCaution: Threshold(reading: 10)), start: at(0))
    #expect(feed(&lowerEither, [(0, 50), (1, 9), (2, 11)]).map(\.state) == [.warning, .ok])
  }

  @Test func goesUnknownWhenStaleAndBackOnTheNextReading() throws {
    var health = try SensorHealth(thresholds: Thresholds(upperCaution: Threshold(reading: 80)), start: at(0))
    #expect(health.stale(now: at(2.9), after: .seconds(3)) == nil)  // never read, not yet stale
    #expect(
      health.stale(now: at(3), after: .seconds(3))
        == Transition(event: .raised, state: .unknown, previous: .ok, threshold: nil, thresholdReading: nil, value: nil, since: at(3)))
    #expect(health.stale(now: at(9), after: .seconds(3)) == nil)  // announced once
    #expect(health.observe(50, at: at(10))?.event == .cleared)
    #expect(health.state == .ok)
    #expect(health.stale(now: at(12.5), after: .seconds(3)) == nil)  // the reading at 10 s is fresh
    // From an alarm: unknown is a change, and a sensor back still beyond stays in alarm.
    #expect(health.observe(90, at: at(13))?.state == .warning)
    #expect(health.markUnknown(at: at(14))?.event == .changed)
    #expect(health.state == .unknown)
    let back = health.observe(90, at: at(15))
    #expect(back?.event == .changed && back?.state == .warning && back?.previous == .unknown)
  }

  @Test func aGapDoesNotCountTowardsTheDwell() throws {
    var health = try SensorHealth(
      thresholds: Thresholds(upperCaution: Threshold(reading: 80, dwellTime: .seconds(5))), start: at(0))
    #expect(health.observe(85, at: at(0)) == nil)
    #expect(health.stale(now: at(4), after: .seconds(3))?.state == .unknown)
    #expect(health.observe(85, at: at(6))?.state == .ok)  // back; the dwell starts again
    #expect(health.observe(85, at: at(10)) == nil)
    #expect(health.observe(85, at: at(11))?.state == .warning)
  }

  @Test func aGapDoesNotCountTowardsTheHysteresisDuration() throws {
    var health = try SensorHealth(
      thresholds: Thresholds(upperCaution: Threshold(reading: 80), hysteresisDuration: .seconds(3)), start: at(0))
    #expect(health.observe(85, at: at(0))?.state == .warning)
    #expect(health.observe(70, at: at(1)) == nil)  // back, clearing from 1 s
    #expect(health.markUnknown(at: at(2))?.state == .unknown)
    // 3.5 s after it came back, but only just seen again: still in force, clearing from 4.5 s.
    #expect(health.observe(70, at: at(4.5))?.state == .warning)
    #expect(health.observe(70, at: at(7)) == nil)
    #expect(health.observe(70, at: at(7.5))?.event == .cleared)
  }

  @Test func ignoresNonFiniteValues() throws {
    var health = try SensorHealth(thresholds: Thresholds(upperCaution: Threshold(reading: 80)), start: at(0))
    #expect(health.observe(90, at: at(0))?.state == .warning)
    #expect(health.observe(.nan, at: at(1)) == nil)
    #expect(health.observe(-.infinity, at: at(2)) == nil)
    #expect(health.state == .warning)
    #expect(health.stale(now: at(3), after: .seconds(3))?.state == .unknown)  // NaN is not a reading
  }

  @Test func refusesInvalidThresholds() {
    #expect(throws: ThresholdsError.self) {
      try SensorHealth(
        thresholds: Thresholds(upperCaution: Threshold(reading: 90), upperCritical: Threshold(reading: 80)), start: at(0))
    }
  }

  @Test func metricValues() {
    #expect(HealthState.allCases.map(\.metricValue) == [0, 1, 2, 3, -1])
  }
}

/// The hardware's own alarm flag (reading context `synse.alarm`): a floor on the state while
/// the readings carry it, with no dwell and no hysteresis.
struct SensorHealthAlarmFloorTests {
  @Test func aFlaggedReadingRaisesAtOnceAndTheFloorGoesWithTheFlag() throws {
    var health = try SensorHealth(
      thresholds: Thresholds(upperCaution: Threshold(reading: 80, dwellTime: .seconds(60)), upperCritical: Threshold(reading: 90)),
      start: at(0))
    #expect(health.observe(20, at: at(0)) == nil)
    let raised = health.observe(20, at: at(1), alarm: .critical)
    #expect(raised?.event == .raised && raised?.state == .critical && raised?.threshold == nil)
    // A threshold above the floor wins; the floor holds when the value comes back.
    #expect(health.observe(95, at: at(2), alarm: .caution)?.threshold == .upperCritical)
    #expect(health.observe(20, at: at(3), alarm: .caution)?.state == .warning)
    let cleared = health.observe(20, at: at(4))
    #expect(cleared?.event == .cleared && cleared?.state == .ok)
  }

  @Test func withoutThresholdsOnlyTheFlagCounts() throws {
    var health = try SensorHealth(thresholds: Thresholds(), start: at(0))
    #expect(health.observe(1e9, at: at(0)) == nil)
    #expect(health.observe(1, at: at(1), alarm: .fatal)?.state == .fatal)
    #expect(health.observe(1, at: at(2))?.state == .ok)
  }
}
