import Foundation
import SynseSDK
import SynseSupport

/// How a BMC's poll becomes SDK devices and readings (docs/ipmi.md).
enum IPMIDevices {
  /// Device key (hence ID): the BMC's System GUID and the sensor's owner, LUN and number, which
  /// survive plugin restarts, BMC reboots and address changes (SDR record IDs may not).
  static func key(_ guid: String, _ sensor: IPMISensor) -> String {
    "\(guid)/sensor/\(hex(sensor.ownerID))-\(sensor.lun)-\(sensor.number)"
  }

  static func powerKey(_ guid: String) -> String { "\(guid)/chassis/power" }
  static func identifyKey(_ guid: String) -> String { "\(guid)/chassis/identify" }

  /// Handlers: one per device type of a sensor, and the two chassis controls.
  static let sensorTypes = ["temperature", "voltage", "current", "fan", "power", "percentage", "number", "status"]
  static let powerHandler = "ipmi-power"
  static let identifyHandler = "ipmi-identify"

  /// (device type, output name) of a sensor: threshold sensors by unit (IPMI 2.0 table 43-15 as
  /// FreeIPMI abbreviates it), discrete sensors as `status` with the asserted states as text.
  static func kind(_ sensor: IPMISensor) -> (type: String, output: String) {
    guard sensor.isThreshold else { return ("status", "status") }
    switch sensor.unit {
    case "C": return ("temperature", "temperature")
    case "V": return ("voltage", "voltage")
    case "A": return ("current", "electric-current")
    case "W": return ("power", "watt")
    case "RPM": return ("fan", "rpm")
    case "%": return ("percentage", "percentage")
    default: return ("number", "number")
    }
  }

  /// IPMI's six thresholds as Synse's (docs/health.md): non-critical is caution, critical
  /// critical, non-recoverable fatal; one hysteresis per reading, the larger of the SDR's
  /// positive- and negative-going ones. Nil when none is set or the set is inconsistent.
  static func thresholds(_ reading: IPMISensorReading) -> Thresholds? {
    guard let t = reading.thresholds else { return nil }
    var result = Thresholds(
      lowerCaution: t.lowerNonCritical.map { Threshold(reading: $0) }, upperCaution: t.upperNonCritical.map { Threshold(reading: $0) },
      lowerCritical: t.lowerCritical.map { Threshold(reading: $0) }, upperCritical: t.upperCritical.map { Threshold(reading: $0) },
      lowerFatal: t.lowerNonRecoverable.map { Threshold(reading: $0) }, upperFatal: t.upperNonRecoverable.map { Threshold(reading: $0) })
    if let hysteresis = reading.hysteresis { result.hysteresisReading = max(hysteresis.positive, hysteresis.negative) }
    guard !result.isEmpty, (try? result.validate()) != nil else { return nil }
    return result
  }

  /// One prototype per sensor and two for the chassis, of one BMC's latest poll.
  static func prototypes(_ poll: BMCPoll, endpoint: String, outputs: [String: Output]) -> [DeviceConfig.Prototype] {
    var prototypes: [DeviceConfig.Prototype] = []
    func add(key: String, type: String, handler: String, info: String, output: String, context: [(String, String)], thresholds: Thresholds?) {
      var instance = DeviceConfig.Instance()
      instance.type = type
      instance.handler = handler
      instance.info = info
      instance.output = output
      instance.data = .map([("key", .string(key)), ("endpoint", .string(endpoint))])
      // Device config text is rendered as Go templates; a BMC's text must stay literal.
      instance.context = ([("endpoint", endpoint)] + context).filter { !$0.1.contains("{{") }
      instance.location = endpoint
      if let tag = Tag.endpoint("ipmi", endpoint) { instance.tags.append(tag) }
      if let thresholds, let type = outputs[output]?.type { instance.thresholds = [ReadingSelector(readingType: type): thresholds] }
      // A power cycle is confirmed once the chassis reads on again: servers take their time.
      if handler == powerHandler { instance.writeTimeout = .seconds(120) }
      var prototype = DeviceConfig.Prototype()
      prototype.type = type
      prototype.handler = handler
      prototype.instances = [instance]
      prototypes.append(prototype)
    }
    var seen: Set<String> = []
    for reading in poll.sensors {
      let sensor = reading.sensor
      let key = key(poll.guid, sensor)
      guard seen.insert(key).inserted else { continue }
      let (type, output) = kind(sensor)
      let name = sensor.name.contains("{{") ? "sensor \(sensor.number)" : sensor.name
      add(
        key: key, type: type, handler: type, info: name, output: output,
        context: [("sensor", name), ("sensor_number", "\(sensor.number)"), ("record_id", "\(sensor.recordID)")],
        thresholds: thresholds(reading))
    }
    add(key: powerKey(poll.guid), type: "power", handler: powerHandler, info: "Chassis power", output: "state", context: [], thresholds: nil)
    add(key: identifyKey(poll.guid), type: "led", handler: identifyHandler, info: "Chassis identify", output: "state", context: [], thresholds: nil)
    return prototypes
  }

  /// The device's reading in `poll`, stamped with the poll's time; nil when the sensor is gone
  /// or has no reading now.
  static func reading(key: String, in poll: BMCPoll, output: Output) -> Reading? {
    guard var reading = unstamped(key: key, in: poll, output: output) else { return nil }
    reading.timestamp = poll.time
    return reading
  }

  private static func unstamped(key: String, in poll: BMCPoll, output: Output) -> Reading? {
    if key == powerKey(poll.guid) { return output.reading(.string(poll.chassis.powerOn ? "on" : "off")) }
    if key == identifyKey(poll.guid) {
      guard let identify = poll.chassis.identify else { return nil }
      return output.reading(.string(identify == .off ? "off" : "on"))
    }
    guard let sensor = poll.sensors.first(where: { Self.key(poll.guid, $0.sensor) == key }) else { return nil }
    if sensor.sensor.isThreshold {
      guard let value = sensor.value else { return nil }
      return output.reading(.float64(value))
    }
    guard let state = sensor.state else { return nil }
    return output.reading(.string(state))
  }

  static func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
  }
}
