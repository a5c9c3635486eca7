/// Names one sensor reading: device + reading type + its place among the device's readings of
/// that type in a read pass (``ReadingSequencer``). Context is not part of it: plugins put
/// changing values there (hwmon's `alarm`, the hardware flag `synse.alarm`), and a sensor must
/// keep its state across them.
struct SensorKey: Hashable, Sendable {
  let device: String
  let type: String
  let ordinal: Int

  init(_ reading: ReadingRecord) {
    device = reading.device
    type = reading.type
    ordinal = reading.ordinal
  }
}
