/// Names one sensor reading: device + reading type + the reading's context, so that a device
/// with several readings of one type (a PDU's outlets, a chip's rails) has one state per reading.
struct SensorKey: Hashable, Sendable {
  let device: String
  let type: String
  /// The context entries sorted by key, `key=value` joined by NUL (context keys are unique).
  let context: String

  init(device: String, type: String, context: [(String, String)]) {
    self.device = device
    self.type = type
    self.context = context.isEmpty ? "" : context.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "\u{0}")
  }

  init(_ reading: ReadingRecord) {
    self.init(device: reading.device, type: reading.type, context: reading.context)
  }
}
