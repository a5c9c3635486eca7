import Testing
@testable import SynseServerCore

/// A sensor's identity across read passes: device, type and place among the device's readings
/// of that type in one pass, whatever its context does.
struct ReadingSequencerTests {
  static func reading(_ device: String, _ type: String, at time: String, context: [(String, String)] = []) -> ReadingRecord {
    var reading = FakePlugin.reading(device, 1, type: type, timestamp: time)
    reading.context = context
    return reading
  }

  @Test func readingsOfATypeAreNumberedWithinADevicesPassOnly() {
    var sequencer = ReadingSequencer()
    let outputs: (String, String) -> Int = { device, type in device == "pdu" && type == "current" ? 2 : 1 }
    let stream = [
      Self.reading("pdu", "current", at: "t1", context: [("outlet", "1")]), Self.reading("pdu", "current", at: "t1", context: [("outlet", "2")]),
      Self.reading("pdu", "voltage", at: "t1"),
      // One device, two passes within one second: a type coming back more often than the
      // device has outputs of it starts a new pass.
      Self.reading("chip", "temperature", at: "t1", context: [("alarm", "1")]), Self.reading("chip", "temperature", at: "t1", context: [("alarm", "0")]),
      Self.reading("pdu", "current", at: "t2"), Self.reading("pdu", "current", at: "t2"),
    ]
    let ordinals = stream.map { reading in
      var reading = reading
      sequencer.number(&reading, outputs: outputs)
      return reading.ordinal
    }
    #expect(ordinals == [0, 1, 0, 0, 0, 0, 1])
    // The context flag changed, the sensor did not.
    var first = stream[3], second = stream[4]
    first.ordinal = 0
    second.ordinal = 0
    #expect(first.isSameSensor(as: second))
  }
}
