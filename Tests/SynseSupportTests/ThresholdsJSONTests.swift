import SynseSupport
import Testing

/// The `synse.thresholds` device metadata value (docs/health.md): Redfish-style JSON.
struct ThresholdsJSONTests {
  /// Written by hand the way a Redfish `Sensor.Thresholds` object reads (DMTF Sensor.v1_7_0).
  static let handWritten = """
    {
      "temperature": {
        "UpperCaution": {"Reading": 80, "Activation": "Increasing", "DwellTime": "PT5S"},
        "UpperCritical": {"Reading": 95.5},
        "LowerCaution": {"Reading": 5, "Activation": "Decreasing", "DwellTime": "PT1M"},
        "HysteresisReading": 2,
        "HysteresisDuration": "PT10S"
      },
      "voltage[rail=12v]": {"LowerCritical": {"Reading": 11.4, "Activation": "Either"}, "UpperCritical": {"Reading": 12.6}}
    }
    """

  @Test func parsesAHandWrittenRedfishStyleExample() throws {
    let map = try ThresholdsMetadata.parse(Self.handWritten)
    #expect(ThresholdsMetadata.key == "synse.thresholds")
    #expect(map.count == 2)
    let temperature = try #require(map[ReadingSelector(readingType: "temperature")])
    #expect(temperature.upperCaution == Threshold(reading: 80, activation: .increasing, dwellTime: .seconds(5)))
    #expect(temperature.upperCritical == Threshold(reading: 95.5, activation: .either, dwellTime: .zero))
    #expect(temperature.lowerCaution == Threshold(reading: 5, activation: .decreasing, dwellTime: .seconds(60)))
    #expect(temperature.lowerCritical == nil && temperature.lowerFatal == nil && temperature.upperFatal == nil)
    #expect(temperature.hysteresisReading == 2)
    #expect(temperature.hysteresisDuration == .seconds(10))
    let rail = try #require(map[ReadingSelector(readingType: "voltage", context: ["rail": "12v"])])
    #expect(rail == Thresholds(lowerCritical: Threshold(reading: 11.4), upperCritical: Threshold(reading: 12.6)))
  }

  @Test func roundTripsThroughTheEncoder() throws {
    let map = try ThresholdsMetadata.parse(Self.handWritten)
    let text = ThresholdsMetadata.encode(map)
    #expect(try ThresholdsMetadata.parse(text) == map)
    // Stable text: the same map always encodes the same way.
    #expect(ThresholdsMetadata.encode(try ThresholdsMetadata.parse(text)) == text)
    #expect(text.contains(#""DwellTime":"PT5S""#))
    #expect(text.contains(#""HysteresisDuration":"PT10S""#))
    #expect(text.contains(#""voltage[rail=12v]""#))
    let everything = Thresholds(
      lowerCaution: Threshold(reading: -5, activation: .decreasing, dwellTime: .milliseconds(1500)),
      upperCaution: Threshold(reading: 0.1), lowerCritical: Threshold(reading: -10),
      upperCritical: Threshold(reading: 1e6), lowerFatal: Threshold(reading: -273.15, activation: .increasing),
      upperFatal: Threshold(reading: 1e9, dwellTime: .seconds(86_400)), hysteresisReading: 0.25, hysteresisDuration: .seconds(2))
    let single: [ReadingSelector: Thresholds] = [ReadingSelector(readingType: "x", context: ["a": "1", "b": "2"]): everything]
    #expect(try ThresholdsMetadata.parse(ThresholdsMetadata.encode(single)) == single)
    #expect(try ThresholdsMetadata.parse("{}").isEmpty)
  }

  @Test(arguments: [
    // Inverted: the key names the selector and both thresholds.
    (#"{"temperature": {"UpperCaution": {"Reading": 90}, "UpperCritical": {"Reading": 80}}}"#, "temperature.UpperCritical"),
    (#"{"fan[id=2]": {"LowerCaution": {"Reading": 100}, "LowerCritical": {"Reading": 200}}}"#, "fan[id=2].LowerCaution"),
    // Non-numeric limit.
    (#"{"temperature": {"UpperCritical": {"Reading": "hot"}}}"#, "temperature.UpperCritical.Reading"),
    (#"{"temperature": {"HysteresisReading": "2"}}"#, "temperature.HysteresisReading"),
    // Misspelt key, unknown activation, missing reading, bad duration, negative values.
    (#"{"temperature": {"UpperCritcal": {"Reading": 1}}}"#, "temperature.UpperCritcal"),
    (#"{"temperature": {"UpperCaution": {"Reading": 1, "Activation": "Up"}}}"#, "temperature.UpperCaution.Activation"),
    (#"{"temperature": {"UpperCaution": {"Reding": 1}}}"#, "temperature.UpperCaution.Reding"),
    (#"{"temperature": {"UpperCaution": {"DwellTime": "PT1S"}}}"#, "temperature.UpperCaution.Reading"),
    (#"{"temperature": {"UpperCaution": {"Reading": 1, "DwellTime": "5s"}}}"#, "temperature.UpperCaution.DwellTime"),
    (#"{"temperature": {"UpperCaution": {"Reading": 1, "DwellTime": "-PT5S"}}}"#, "temperature.UpperCaution.DwellTime"),
    (#"{"temperature": {"HysteresisDuration": "soon"}}"#, "temperature.HysteresisDuration"),
    (#"{"temperature": {"HysteresisReading": -1}}"#, "temperature.HysteresisReading"),
    // Bad selector, and not an object at all.
    (#"{"temperature[zone]": {}}"#, "temperature[zone]"),
    (#"{"temperature": 80}"#, "temperature"),
    (#"[1, 2]"#, ""),
    (#"{"temperature": "#, ""),
  ])
  func refusesBadInputNamingTheKey(json: String, key: String) {
    let error = #expect(throws: ThresholdsError.self) { try ThresholdsMetadata.parse(json) }
    #expect(error?.key == key, "\(String(describing: error))")
  }
}
