import SynseSupport
import Testing

/// The threshold model (docs/health.md): validation names the key; durations; selectors.
struct ThresholdsTests {
  @Test func acceptsOrderedThresholdsAndEqualLevelsOnOneSide() throws {
    let thresholds = Thresholds(
      lowerCaution: Threshold(reading: 10), upperCaution: Threshold(reading: 80),
      lowerCritical: Threshold(reading: 10), upperCritical: Threshold(reading: 90),
      lowerFatal: Threshold(reading: 0), upperFatal: Threshold(reading: 100),
      hysteresisReading: 2, hysteresisDuration: .seconds(3))
    try thresholds.validate()
    try Thresholds().validate()
  }

  @Test(arguments: [
    // Upper caution above upper critical.
    (Thresholds(upperCaution: Threshold(reading: 90), upperCritical: Threshold(reading: 80)), "UpperCritical", "UpperCaution"),
    // Lower caution below lower critical.
    (Thresholds(lowerCaution: Threshold(reading: 5), lowerCritical: Threshold(reading: 10)), "LowerCaution", "LowerCritical"),
    // Upper fatal below upper caution, critical unset.
    (Thresholds(upperCaution: Threshold(reading: 90), upperFatal: Threshold(reading: 85)), "UpperFatal", "UpperCaution"),
    // The lower and upper ranges meet: every value would be in alarm.
    (Thresholds(lowerCaution: Threshold(reading: 50), upperCaution: Threshold(reading: 50)), "UpperCaution", "LowerCaution"),
    (Thresholds(upperCaution: Threshold(reading: 20), lowerCritical: Threshold(reading: 30)), "UpperCaution", "LowerCritical"),
  ])
  func refusesInvertedOrderNamingBothKeys(thresholds: Thresholds, key: String, otherKey: String) {
    let error = #expect(throws: ThresholdsError.self) { try thresholds.validate() }
    guard case .inverted(let got, _, let other, _) = error else {
      Issue.record("expected .inverted, got \(String(describing: error))")
      return
    }
    #expect(got == key)
    #expect(other == otherKey)
    #expect(error?.description.contains(key) == true)
  }

  @Test(arguments: [
    (Thresholds(upperFatal: Threshold(reading: .nan)), ThresholdsError.nonFinite(key: "UpperFatal.Reading")),
    (Thresholds(lowerCaution: Threshold(reading: -.infinity)), .nonFinite(key: "LowerCaution.Reading")),
    (Thresholds(upperCaution: Threshold(reading: 1), hysteresisReading: .infinity), .nonFinite(key: "HysteresisReading")),
    (Thresholds(lowerCaution: Threshold(reading: 1, dwellTime: .seconds(-1))), .negative(key: "LowerCaution.DwellTime")),
    (Thresholds(upperCaution: Threshold(reading: 1), hysteresisReading: -0.5), .negative(key: "HysteresisReading")),
    (Thresholds(upperCaution: Threshold(reading: 1), hysteresisDuration: .milliseconds(-1)), .negative(key: "HysteresisDuration")),
  ])
  func refusesNonFiniteAndNegativeValuesNamingTheKey(thresholds: Thresholds, expected: ThresholdsError) {
    #expect(throws: expected) { try thresholds.validate() }
  }

  @Test(arguments: [
    ("PT5S", Duration.seconds(5)), ("PT0S", .zero), ("PT0.25S", .milliseconds(250)),
    ("PT1M30S", .seconds(90)), ("PT2H", .seconds(7_200)), ("P1DT1S", .seconds(86_401)),
    ("P1D", .seconds(86_400)), ("-PT5S", .seconds(-5)),
  ])
  func parsesISO8601Durations(text: String, expected: Duration) {
    #expect(ISO8601Duration.parse(text) == expected)
  }

  /// Longer than 10^12 s: a value that parsed but could not be written back out (it trapped
  /// the plugin and the server when they rendered it) is refused when read.
  @Test(arguments: ["PT99999999999999999999S", "PT1000000000001S", "P11574074075D", "PT277777777778H", "-PT99999999999999999999S"])
  func refusesDurationsBeyondTheMaximum(text: String) {
    #expect(ISO8601Duration.parse(text) == nil)
  }

  @Test func theLongestDurationTakenIsWrittenBackOut() {
    #expect(ISO8601Duration.parse("PT1000000000000S") == ISO8601Duration.maximum)
    #expect(ISO8601Duration.format(ISO8601Duration.maximum) == "PT1000000000000S")
  }

  @Test(arguments: ["", "5", "5s", "P", "PT", "P1DT", "PT5", "PT1S1M", "PT1S1S", "P1Y", "P1M", "PT.5S", "PT1.5M", "T5S", "PT5X"])
  func refusesMalformedDurations(text: String) {
    #expect(ISO8601Duration.parse(text) == nil)
  }

  @Test(arguments: [
    (Duration.seconds(5), "PT5S"), (.zero, "PT0S"), (.milliseconds(250), "PT0.25S"),
    (.seconds(90), "PT90S"), (.nanoseconds(1), "PT0.000000001S"), (.seconds(-1), "-PT1S"),
  ])
  func formatsDurationsAsSecondsThatParseBack(duration: Duration, text: String) {
    #expect(ISO8601Duration.format(duration) == text)
    #expect(ISO8601Duration.parse(text) == duration)
  }

  @Test func readingSelectorsParsePrintAndMatch() throws {
    let plain = try ReadingSelector(parsing: "temperature")
    #expect(plain == ReadingSelector(readingType: "temperature"))
    let withContext = try ReadingSelector(parsing: "temperature[zone=cpu,position=top]")
    #expect(withContext == ReadingSelector(readingType: "temperature", context: ["zone": "cpu", "position": "top"]))
    #expect(withContext.description == "temperature[position=top,zone=cpu]")
    #expect(withContext.matches(type: "temperature", readingContext: ["zone": "cpu", "position": "top", "x": "1"]))
    #expect(!withContext.matches(type: "temperature", readingContext: ["zone": "cpu"]))
    #expect(!withContext.matches(type: "humidity", readingContext: ["zone": "cpu", "position": "top"]))
    #expect(plain.matches(type: "temperature", readingContext: ["zone": "gpu"]))
    #expect(try ReadingSelector(parsing: "voltage[rail=]").context == ["rail": ""])
  }

  @Test(arguments: ["", "[zone=cpu]", "temperature[", "temperature[zone]", "temperature[zone=cpu", "temperature[=cpu]",
    "temperature[a=1,a=2]", "temperature[a=1]x", "temp=x", "temperature[a=[1]]", "temperature[a=1,]"])
  func refusesMalformedSelectors(text: String) {
    #expect(throws: ThresholdsError.invalidSelector(key: text)) { try ReadingSelector(parsing: text) }
  }
}
