import SynseSupport
import CFreeIPMI
import Foundation

/// One sensor of a BMC's SDR (IPMI 2.0 §43.1 full and §43.2 compact sensor records).
struct IPMISensor: Sendable, Equatable {
  var recordID: UInt16
  /// Sensor owner (slave address), LUN and number: with the BMC's GUID, the sensor's identity
  /// across plugin restarts and BMC reboots (record IDs may be renumbered).
  var ownerID: UInt8
  var lun: UInt8
  var number: UInt8
  var name: String
  /// IPMI 2.0 table 42-3 (temperature 0x01, voltage 0x02, current 0x03, fan 0x04, …).
  var sensorType: UInt8
  /// IPMI 2.0 table 42-1: 0x01 threshold, 0x02–0x0C generic discrete, 0x6F sensor-specific.
  var eventReadingTypeCode: UInt8
  /// FreeIPMI's abbreviated unit (`C`, `V`, `A`, `W`, `RPM`, …), empty for discrete sensors.
  var unit: String

  var isThreshold: Bool { eventReadingTypeCode == 0x01 }
}

/// The six IPMI thresholds (IPMI 2.0 §35.9 Get Sensor Thresholds), in the sensor's unit; nil
/// where the BMC does not report one.
struct IPMIThresholds: Sendable, Equatable {
  var lowerNonRecoverable: Double?
  var lowerCritical: Double?
  var lowerNonCritical: Double?
  var upperNonCritical: Double?
  var upperCritical: Double?
  var upperNonRecoverable: Double?
}

/// One poll's reading of a sensor.
struct IPMISensorReading: Sendable, Equatable {
  var sensor: IPMISensor
  /// The converted value of a threshold sensor; nil for discrete ones or when unavailable.
  var value: Double?
  /// The asserted states of a discrete sensor, in FreeIPMI's words (`Presence detected`),
  /// joined with ", "; `OK` when none is asserted.
  var state: String?
  var thresholds: IPMIThresholds?
  /// Positive- and negative-going hysteresis in the sensor's unit (SDR, IPMI 2.0 §43.1).
  var hysteresis: (positive: Double, negative: Double)?
  /// Why the sensor has no reading this poll (scanning disabled, not available …).
  var unavailable: String?

  static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.sensor == rhs.sensor && lhs.value == rhs.value && lhs.state == rhs.state && lhs.thresholds == rhs.thresholds
      && lhs.hysteresis?.positive == rhs.hysteresis?.positive && lhs.hysteresis?.negative == rhs.hysteresis?.negative
      && lhs.unavailable == rhs.unavailable
  }
}

/// A BMC's SDR repository, cached in a file per BMC (FreeIPMI's SDR cache), and the readings
/// of its sensors. Each ``read()`` checks the repository's last addition and erase times
/// (one Get SDR Repository Info) and fetches the records again only when they changed.
///
/// Owned by the thread of its ``IPMISession``, like the session.
final class SensorRepository {
  private let session: IPMISession
  private let cacheFile: String
  private let sdr: ipmi_sdr_ctx_t
  private let reader: ipmi_sensor_read_ctx_t
  /// How many times the records were fetched from the BMC (first fetch included).
  private(set) var fetches = 0
  /// Thresholds by sensor (owner, LUN, number), re-read every `thresholdRefresh` polls and
  /// after the SDR changed: they change rarely, and reading them doubled the commands a poll
  /// sends (each one a round trip, over RMCP+ each one signed and encrypted).
  private var thresholdCache: [UInt32: IPMIThresholds?] = [:]
  private var polls = 0
  static let thresholdRefresh = 10

  init(session: IPMISession, cacheDirectory: String) throws(IPMIError) {
    guard let sdr = ipmi_sdr_ctx_create() else { throw IPMIError(.bmc, "out of memory creating an SDR context") }
    guard let reader = ipmi_sensor_read_ctx_create(session.raw) else {
      ipmi_sdr_ctx_destroy(sdr)
      throw IPMIError(.bmc, "out of memory creating a sensor-read context")
    }
    self.session = session
    self.sdr = sdr
    self.reader = reader
    let name = session.settings.endpoint.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "_" }
    cacheFile = (cacheDirectory as NSString).appendingPathComponent("sdr-cache-\(String(name))")
  }

  deinit {
    ipmi_sensor_read_ctx_destroy(reader)
    ipmi_sdr_ctx_destroy(sdr)
  }

  /// Every full and compact sensor record with its reading now.
  func read() throws(IPMIError) -> [IPMISensorReading] {
    let fetchesBefore = fetches
    try openCache()
    if fetches != fetchesBefore || polls % Self.thresholdRefresh == 0 { thresholdCache = [:] }
    polls += 1
    defer { ipmi_sdr_cache_close(sdr) }
    var readings: [IPMISensorReading] = []
    var record = [UInt8](repeating: 0, count: Int(IPMI_SDR_MAX_RECORD_LENGTH))
    guard ipmi_sdr_cache_first(sdr) >= 0 else { throw sdrError("reading the SDR cache") }
    repeat {
      let length = ipmi_sdr_cache_record_read(sdr, &record, UInt32(record.count))
      guard length > 0 else { continue }
      let bytes = Array(record[0..<Int(length)])
      if let sensor = sensor(bytes) { readings.append(reading(sensor, bytes)) }
    } while ipmi_sdr_cache_next(sdr) == 1
    return readings
  }

  private func openCache() throws(IPMIError) {
    if ipmi_sdr_cache_open(sdr, session.raw, cacheFile) >= 0 { return }
    let stale: Set<Int32> = [
      IPMI_SDR_ERR_CACHE_READ_CACHE_DOES_NOT_EXIST, IPMI_SDR_ERR_CACHE_INVALID, IPMI_SDR_ERR_CACHE_OUT_OF_DATE,
    ]
    guard stale.contains(ipmi_sdr_ctx_errnum(sdr)) else { throw sdrError("opening the SDR cache \(cacheFile)") }
    guard ipmi_sdr_cache_create(sdr, session.raw, cacheFile, IPMI_SDR_CACHE_CREATE_FLAGS_OVERWRITE, nil, nil) >= 0 else {
      throw sdrError("fetching the SDR repository")
    }
    fetches += 1
    guard ipmi_sdr_cache_open(sdr, session.raw, cacheFile) >= 0 else { throw sdrError("opening the SDR cache \(cacheFile)") }
  }

  private func sensor(_ record: [UInt8]) -> IPMISensor? {
    var recordID: UInt16 = 0
    var recordType: UInt8 = 0
    guard ipmi_sdr_parse_record_id_and_type(sdr, record, UInt32(record.count), &recordID, &recordType) >= 0,
      recordType == IPMI_SDR_FORMAT_FULL_SENSOR_RECORD || recordType == IPMI_SDR_FORMAT_COMPACT_SENSOR_RECORD
    else { return nil }
    var owner: UInt8 = 0, ownerType: UInt8 = 0, lun: UInt8 = 0, channel: UInt8 = 0, number: UInt8 = 0, type: UInt8 = 0, code: UInt8 = 0
    guard ipmi_sdr_parse_sensor_owner_id(sdr, record, UInt32(record.count), &ownerType, &owner) >= 0,
      ipmi_sdr_parse_sensor_owner_lun(sdr, record, UInt32(record.count), &lun, &channel) >= 0,
      ipmi_sdr_parse_sensor_number(sdr, record, UInt32(record.count), &number) >= 0,
      ipmi_sdr_parse_sensor_type(sdr, record, UInt32(record.count), &type) >= 0,
      ipmi_sdr_parse_event_reading_type_code(sdr, record, UInt32(record.count), &code) >= 0
    else { return nil }
    var name = [CChar](repeating: 0, count: 64)
    _ = ipmi_sdr_parse_id_string(sdr, record, UInt32(record.count), &name, UInt32(name.count - 1))
    var unit = ""
    if code == 0x01 {
      var percentage: UInt8 = 0, modifier: UInt8 = 0, rate: UInt8 = 0, base: UInt8 = 0, modifierType: UInt8 = 0
      if ipmi_sdr_parse_sensor_units(sdr, record, UInt32(record.count), &percentage, &modifier, &rate, &base, &modifierType) >= 0 {
        var text = [CChar](repeating: 0, count: 64)
        if ipmi_sensor_units_string(percentage, modifier, rate, base, modifierType, &text, UInt32(text.count - 1), 1) >= 0 {
          unit = String(cBuffer: text)
        }
      }
    }
    return IPMISensor(
      recordID: recordID, ownerID: owner, lun: lun, number: number, name: String(cBuffer: name), sensorType: type,
      eventReadingTypeCode: code, unit: unit)
  }

  private func reading(_ sensor: IPMISensor, _ record: [UInt8]) -> IPMISensorReading {
    var result = IPMISensorReading(sensor: sensor)
    var raw: UInt8 = 0
    var value: UnsafeMutablePointer<Double>? = nil
    var bitmask: UInt16 = 0
    if ipmi_sensor_read(reader, record, UInt32(record.count), 0, &raw, &value, &bitmask) < 0 {
      result.unavailable = String(validatingCString: ipmi_sensor_read_ctx_errormsg(reader)) ?? "sensor read failed"
    } else if sensor.isThreshold {
      result.value = value.map { Self.tidy($0.pointee) }
    } else {
      result.state = Self.states(sensor, bitmask)
    }
    free(value)
    if sensor.isThreshold, let decoding = decoding(record) {
      let key = UInt32(sensor.ownerID) << 16 | UInt32(sensor.lun) << 8 | UInt32(sensor.number)
      if let cached = thresholdCache[key] {
        result.thresholds = cached
      } else {
        result.thresholds = thresholds(sensor, decoding)
        thresholdCache[key] = .some(result.thresholds)
      }
      result.hysteresis = hysteresis(record, decoding)
    }
    return result
  }

  private struct Decoding {
    var rExponent: Int8 = 0, bExponent: Int8 = 0, m: Int16 = 0, b: Int16 = 0, linearization: UInt8 = 0, format: UInt8 = 0

    func value(_ raw: UInt8) -> Double? {
      var value = 0.0
      return ipmi_sensor_decode_value(rExponent, bExponent, m, b, linearization, format, raw, &value) >= 0 ? SensorRepository.tidy(value) : nil
    }
  }

  /// The value to 12 significant digits: `(M × raw + B × 10^k1) × 10^k2` in binary floating
  /// point leaves noise (13.200000000000001 for 13.2) that no SDR's resolution has.
  static func tidy(_ value: Double) -> Double {
    guard value != 0, value.isFinite else { return value }
    let digits = 12 - Int(log10(abs(value)).rounded(.up))
    guard (-22...22).contains(digits) else { return value }
    let scale = pow(10.0, Double(abs(digits)))
    return digits >= 0 ? (value * scale).rounded() / scale : (value / scale).rounded() * scale
  }

  private func decoding(_ record: [UInt8]) -> Decoding? {
    var d = Decoding()
    guard ipmi_sdr_parse_sensor_decoding_data(sdr, record, UInt32(record.count), &d.rExponent, &d.bExponent, &d.m, &d.b, &d.linearization, &d.format) >= 0
    else { return nil }
    return d
  }

  /// Get Sensor Thresholds, only the ones the BMC marks readable.
  private func thresholds(_ sensor: IPMISensor, _ decoding: Decoding) -> IPMIThresholds? {
    try? session.command(
      synse_tmpl_get_sensor_thresholds_rs(), netFunction: UInt8(IPMI_NET_FN_SENSOR_EVENT_RQ), { ipmi_cmd_get_sensor_thresholds($0, sensor.number, $1) }
    ) { object in
      func threshold(_ name: String) -> Double? {
        var readable: UInt64 = 0
        var raw: UInt64 = 0
        guard fiid_obj_get(object, "readable_thresholds." + name, &readable) == 1, readable == 1,
          fiid_obj_get(object, name, &raw) == 1
        else { return nil }
        return decoding.value(UInt8(truncatingIfNeeded: raw))
      }
      return IPMIThresholds(
        lowerNonRecoverable: threshold("lower_non_recoverable_threshold"), lowerCritical: threshold("lower_critical_threshold"),
        lowerNonCritical: threshold("lower_non_critical_threshold"), upperNonCritical: threshold("upper_non_critical_threshold"),
        upperCritical: threshold("upper_critical_threshold"), upperNonRecoverable: threshold("upper_non_recoverable_threshold"))
    }
  }

  /// Hysteresis is in raw counts without the offset (IPMI 2.0 §36.3): its size in the unit is
  /// the distance it spans from raw 0.
  private func hysteresis(_ record: [UInt8], _ decoding: Decoding) -> (positive: Double, negative: Double)? {
    var positive: UInt8 = 0
    var negative: UInt8 = 0
    guard ipmi_sdr_parse_hysteresis(sdr, record, UInt32(record.count), &positive, &negative) >= 0, positive > 0 || negative > 0,
      let zero = decoding.value(0), let up = decoding.value(positive), let down = decoding.value(negative)
    else { return nil }
    return (Self.tidy(abs(up - zero)), Self.tidy(abs(down - zero)))
  }

  /// The asserted offsets' messages (generic or sensor-specific, IPMI 2.0 tables 42-2, 42-3).
  private static func states(_ sensor: IPMISensor, _ bitmask: UInt16) -> String {
    var messages: [String] = []
    for offset in 0..<15 where bitmask & (1 << offset) != 0 {
      var text = [CChar](repeating: 0, count: 128)
      let found = sensor.eventReadingTypeCode == 0x6F
        ? ipmi_get_sensor_type_message(sensor.sensorType, UInt32(offset), &text, UInt32(text.count - 1))
        : ipmi_get_generic_event_message(sensor.eventReadingTypeCode, UInt32(offset), &text, UInt32(text.count - 1))
      messages.append(found >= 0 ? String(cBuffer: text) : "state \(offset)")
    }
    return messages.isEmpty ? "OK" : messages.joined(separator: ", ")
  }

  private func sdrError(_ doing: String) -> IPMIError {
    let message = String(cString: ipmi_sdr_ctx_errormsg(sdr))
    return IPMIError(.bmc, "\(doing): \(message)")
  }
}
