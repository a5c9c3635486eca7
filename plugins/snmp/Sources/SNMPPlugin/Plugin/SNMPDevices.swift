import Foundation
import SynseSDK
import SynseSupport

/// How a target's poll becomes SDK devices and readings (docs/snmp.md).
enum SNMPDevices {
  /// Handlers: one per device type a profile or ENTITY-SENSOR row can give, read only, and one
  /// for devices a profile lets write (outlets).
  static let readTypes = ["temperature", "voltage", "current", "power", "energy", "frequency", "humidity", "percentage", "duration", "fan", "state", "status", "number", "string"]
  static let controlHandler = "snmp-control"

  /// A device's identity: the target's address and context, then the profile device key and
  /// row index, which survive plugin restarts (issue 20: target identity + table index).
  static func identity(endpoint: String, context: String, key: String) -> String {
    context.isEmpty ? "\(endpoint)/\(key)" : "\(endpoint)/\(context)/\(key)"
  }

  static func prototypes(_ poll: SNMPPoll, profile: SNMPProfile, settings: SNMPTargetSettings, outputs: [String: Output]) -> [DeviceConfig.Prototype] {
    var prototypes: [DeviceConfig.Prototype] = []
    for device in poll.devices {
      let spec = profile.devices[device.spec]
      var instance = DeviceConfig.Instance()
      instance.type = device.type
      instance.handler = spec.write == nil ? device.type : controlHandler
      instance.info = device.info
      instance.output = device.output
      instance.data = .map([
        ("key", .string(device.key)), ("endpoint", .string(settings.endpoint)),
        ("identity", .string(identity(endpoint: settings.endpoint, context: settings.contextName, key: device.key))),
      ])
      instance.context =
        [("endpoint", settings.endpoint), ("profile", profile.name), ("key", device.key)] + (device.index.map { [("index", $0)] } ?? [])
        + (settings.contextName.isEmpty ? [] : [("context", settings.contextName)])
      instance.location = settings.endpoint
      if let tag = Tag.endpoint("snmp", settings.endpoint) { instance.tags.append(tag) }
      if let thresholds = device.thresholds, let type = outputs[device.output]?.type {
        instance.thresholds = [ReadingSelector(readingType: type): thresholds]
      }
      var prototype = DeviceConfig.Prototype()
      prototype.type = instance.type
      prototype.handler = instance.handler
      prototype.instances = [instance]
      prototypes.append(prototype)
    }
    return prototypes
  }

  /// The device's reading in `poll`, stamped with the poll's time; nil when the row is gone or
  /// the agent has no value now.
  static func reading(key: String, in poll: SNMPPoll, output: Output) -> Reading? {
    guard let value = poll.device(key)?.value else { return nil }
    var reading: Reading
    switch value {
    case .number(let number): reading = output.reading(.float64(number))
    case .text(let text): reading = output.reading(.string(text))
    }
    reading.timestamp = poll.time
    return reading
  }
}
