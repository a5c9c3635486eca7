/// Numbers each reading among its device's readings of the same type in one read pass, so that
/// a sensor keeps its identity while its context changes (hwmon's `alarm: 0/1`, the hardware
/// alarm flag `synse.alarm`) and a device with two readings of one type (two outputs of that
/// type) still has two sensors.
///
/// Plugins send a device's readings of one pass together (the SDK writes a device's batch in
/// one go; a `Read` lists device by device), so a pass of a device ends when another device's
/// reading comes, the timestamp changes, or a type comes back more often than the device has
/// outputs of it. Feed it the readings of one stream or one answer, in order.
struct ReadingSequencer {
  private var device = ""
  private var timestamp = ""
  private var seen: [String: Int] = [:]

  /// Sets `reading.ordinal`; `outputs` tells how many outputs of a type the device has (at least 1).
  mutating func number(_ reading: inout ReadingRecord, outputs: (String, String) -> Int) {
    if reading.device != device || reading.timestamp != timestamp {
      device = reading.device
      timestamp = reading.timestamp
      seen.removeAll(keepingCapacity: true)
    }
    var ordinal = seen[reading.type] ?? 0
    if ordinal > 0 && ordinal >= outputs(reading.device, reading.type) {
      seen.removeAll(keepingCapacity: true)
      ordinal = 0
    }
    seen[reading.type] = ordinal + 1
    reading.ordinal = ordinal
  }

  /// The readings of one answer, numbered.
  static func numbered(_ readings: [ReadingRecord], devices: DeviceCache) -> [ReadingRecord] {
    var sequencer = ReadingSequencer()
    return readings.map { reading in
      var reading = reading
      sequencer.number(&reading, outputs: devices.outputCount)
      return reading
    }
  }
}

extension DeviceCache {
  /// How many outputs of `type` the device has, at least 1 (also for an unknown device).
  func outputCount(_ device: String, _ type: String) -> Int {
    max(1, self.device(device)?.outputs.lazy.filter { $0.type == type }.count ?? 1)
  }
}
