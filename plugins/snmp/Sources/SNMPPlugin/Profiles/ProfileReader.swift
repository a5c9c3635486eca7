import Foundation
import SynseSupport

/// Reads one profile's devices from an agent: every column the profile names in one walk
/// (GETBULK, a varbind a column), every scalar in GETs of up to ``getChunk`` varbinds.
enum ProfileReader {
  static let getChunk = 40

  static func read(_ profile: SNMPProfile, from session: SNMPSession, bulk: Bool) throws(SNMPError) -> SNMPPoll {
    let time = Date()
    let before = session.requests
    var columns: Set<OID> = []
    var scalars: Set<OID> = []
    for spec in profile.devices {
      if let fahrenheit = spec.fahrenheitWhen { scalars.insert(fahrenheit.oid) }
      if let rows = spec.rows {
        columns.formUnion([rows, spec.value] + (spec.label.map { [$0] } ?? []))
        for (_, source) in spec.thresholds { if case .oid(let oid, _) = source { columns.insert(oid) } }
        if spec.entitySensor { columns.formUnion(EntitySensor.columns(of: spec.value)) }
      } else {
        scalars.insert(spec.value)
        if let label = spec.label { scalars.insert(label) }
        for (_, source) in spec.thresholds { if case .oid(let oid, _) = source { scalars.insert(oid) } }
      }
    }
    let ordered = columns.sorted()
    let walked = ordered.isEmpty ? [:] : try session.walk(ordered, bulk: bulk)
    var table = Values(scalars: [:], columns: [:])
    for (column, rows) in walked {
      var byIndex = [OID: SNMPValue](minimumCapacity: rows.count)
      for (index, value) in rows { byIndex[index] = value }
      table.columns[column] = byIndex
    }
    let scalarList = scalars.sorted()
    for start in stride(from: 0, to: scalarList.count, by: getChunk) {
      table.scalars.merge(try session.get(Array(scalarList[start..<min(start + getChunk, scalarList.count)]))) { _, new in new }
    }
    var devices: [PolledDevice] = []
    var problems: [String] = []
    for (position, spec) in profile.devices.enumerated() {
      if let rows = spec.rows {
        let found = walked[rows] ?? []
        if found.isEmpty { problems.append("profile \(profile.name) device \(spec.key): the agent has no rows under \(rows)") }
        for (index, _) in found {
          if let device = device(spec, position, index: index, table) { devices.append(device) }
        }
      } else if let device = device(spec, position, index: nil, table) {
        if device.value == nil { problems.append("profile \(profile.name) device \(spec.key): the agent has no value at \(spec.value)") }
        devices.append(device)
      }
    }
    var poll = SNMPPoll(profile: profile.name, devices: devices, time: time, requests: session.requests - before)
    poll.problems = problems
    return poll
  }

  /// What a poll read: scalars by OID, columns by column OID then row index (a row's lookup
  /// hashes its short index, not the whole OID).
  struct Values {
    var scalars: [OID: SNMPValue]
    var columns: [OID: [OID: SNMPValue]]

    /// The value of `oid` (a column when `index` is given), nil for none or an exception.
    func at(_ oid: OID, _ index: OID?) -> SNMPValue? {
      let value = index.map { columns[oid]?[$0] } ?? scalars[oid]
      return value.flatMap { $0.isPresent ? $0 : nil }
    }
  }

  /// One device of `spec` (one row, or the scalar); nil for an ENTITY-SENSOR row that is not
  /// a measurement Synse has an output for. Its info text is made only when asked for
  /// (``PolledDevice/info``): registration needs it, a poll does not.
  private static func device(_ spec: SNMPProfile.DeviceSpec, _ position: Int, index: OID?, _ values: Values) -> PolledDevice? {
    func at(_ oid: OID) -> SNMPValue? { values.at(oid, index) }
    let indexText = index?.description
    var device = PolledDevice(
      key: indexText.map { "\(spec.key).\($0)" } ?? spec.key, spec: position, index: indexText, type: spec.type, output: spec.output,
      template: spec.info, label: spec.label.flatMap { at($0) })
    let raw = at(spec.value)
    let fahrenheit = spec.fahrenheitWhen.map { values.scalars[$0.oid] == .integer($0.equals) } ?? false
    // To hundredths of a degree: the agents give tenths of °F, 0.056 °C apart.
    let convert = { (value: Double) in fahrenheit ? (((value - 32) * 5 / 9) * 100).rounded() / 100 : value }
    if spec.entitySensor {
      guard let index, let sensor = EntitySensor(values: values, entry: EntitySensor.entry(of: spec.value), index: index) else { return nil }
      (device.type, device.output) = (sensor.type, sensor.output)
      device.value = raw?.number.flatMap { sensor.operational ? sensor.value(raw: $0) : nil }
      return device
    }
    if let raw {
      if !spec.states.isEmpty {
        if case .integer(let number) = raw { device.value = .text(spec.states[number] ?? String(number)) } else { device.value = raw.text.map { .text($0) } }
      } else if ["state", "status", "string"].contains(spec.output) {
        device.value = raw.text.map { .text($0) }
      } else if let number = raw.number {
        device.value = .number(convert(scaled(number, by: spec.scale)))
      }
    }
    var thresholds = Thresholds()
    for (kind, source) in spec.thresholds {
      switch source {
      case .fixed(let reading): thresholds[kind] = Threshold(reading: reading)  // in the output's unit
      case .oid(let oid, let scale): if let number = at(oid)?.number { thresholds[kind] = Threshold(reading: convert(scaled(number, by: scale))) }
      }
    }
    // A threshold set the agent reports inconsistently (a caution above the critical) is left
    // out rather than raising alarms no one set.
    if !thresholds.isEmpty, (try? thresholds.validate()) != nil { device.thresholds = thresholds }
    return device
  }

  /// raw × scale, divided by 10ⁿ where scale is 10⁻ⁿ: tenths read 38 are 3.8, where
  /// 38 × 0.1 is 3.8000000000000003.
  static func scaled(_ raw: Double, by scale: Double) -> Double {
    let inverse = (1 / scale).rounded()
    if abs(scale) < 1, inverse != 0, abs(inverse * scale - 1) < 1e-12 { return raw / inverse }
    return raw * scale
  }
}

/// One row of ENTITY-SENSOR-MIB's entPhySensorTable (RFC 3433 §4): its type, scale and
/// precision say what the value means.
struct EntitySensor {
  let type: String
  let output: String
  let exponent: Int
  let operational: Bool

  /// entPhySensorType, entPhySensorScale, entPhySensorPrecision, entPhySensorOperStatus.
  static func columns(of value: OID) -> [OID] {
    let entry = entry(of: value)
    return [1, 2, 3, 5].map { entry.appending(OID([$0])) }
  }

  static func entry(of value: OID) -> OID { OID(Array(value.parts.dropLast())) }

  /// EntitySensorDataType → (Synse type, output); other(1), unknown(2) are plain numbers,
  /// cmm(11) has no Synse output and is skipped.
  static let types: [Int64: (String, String)] = [
    1: ("number", "number"), 2: ("number", "number"), 3: ("voltage", "voltage"), 4: ("voltage", "voltage"),
    5: ("current", "electric-current"), 6: ("power", "watt"), 7: ("frequency", "frequency"), 8: ("temperature", "temperature"),
    9: ("humidity", "humidity"), 10: ("fan", "rpm"), 12: ("status", "status"),
  ]

  /// EntitySensorDataScale → power of ten; RFC 3433 lists exa(14) before peta(15).
  static let exponents: [Int64: Int] = [
    1: -24, 2: -21, 3: -18, 4: -15, 5: -12, 6: -9, 7: -6, 8: -3, 9: 0, 10: 3, 11: 6, 12: 9, 13: 12, 14: 18, 15: 15, 16: 21, 17: 24,
  ]

  init?(values: ProfileReader.Values, entry: OID, index: OID) {
    func integer(_ column: UInt) -> Int64? {
      if case .integer(let number)? = values.at(entry.appending(OID([column])), index) { return number }
      return nil
    }
    guard let code = integer(1), let (type, output) = Self.types[code] else { return nil }
    (self.type, self.output) = (type, output)
    // Precision: digits after the decimal point (RFC 3433 EntitySensorPrecision, -8…9).
    exponent = (Self.exponents[integer(2) ?? 9] ?? 0) - Int(max(-8, min(9, integer(3) ?? 0)))
    // ok(1); unavailable(2) and nonoperational(3) values are not readings.
    operational = (integer(5) ?? 1) == 1
  }

  func value(raw: Double) -> PolledDevice.Value {
    if type == "status" { return .text(raw == 1 ? "true" : "false") }
    return .number(exponent < 0 ? raw / pow(10, Double(-exponent)) : raw * pow(10, Double(exponent)))
  }
}
