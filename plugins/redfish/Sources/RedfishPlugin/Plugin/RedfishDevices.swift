import Foundation
import SynseSDK
import SynseSupport

/// How a BMC's inventory becomes SDK devices and its points readings.
enum RedfishDevices {
  /// Device types with a handler: what discovery gives (``RedfishPoint/deviceType``: the
  /// mapped types, else the DMTF `Sensor.ReadingType` lowercased, else `number`) and the
  /// reading types of the SDK's outputs. A point of another type is left out and logged.
  static let deviceTypes: Set<String> = Set(Output.builtIn.map(\.type)).union([
    "temperature", "fan", "voltage", "current", "power", "energy", "humidity", "pressure", "frequency",
    "percentage", "led", "power-state", "outlet", "number",
  ]).union([
    // Sensor.v1_x ReadingType (DSP0268), lowercased.
    "Temperature", "Humidity", "Power", "EnergykWh", "EnergyJoules", "EnergyWh", "ChargeAh", "Voltage", "Current",
    "Frequency", "Pressure", "PressurekPa", "PressurePa", "LiquidLevel", "Rotational", "AirFlow", "AirFlowCMM",
    "LiquidFlow", "LiquidFlowLPM", "Barometric", "Altitude", "Percent", "AbsoluteHumidity", "Heat",
  ].map { $0.lowercased() })

  /// `<type>` for a read-only point, `<type>-control` for a writable one, so a device's
  /// capabilities say whether Redfish lets it be written.
  static func handlerName(_ point: RedfishPoint) -> String {
    point.control == nil ? point.deviceType : point.deviceType + "-control"
  }

  /// The device key (data `key`, hence the device ID): the service's UUID and the point's key,
  /// so it survives plugin restarts, BMC reboots and address changes.
  static func key(_ inventory: RedfishInventory, _ point: RedfishPoint) -> String {
    inventory.serviceUUID + point.key
  }

  /// Context key naming the point's resource (its `@odata.id`, with the member pointer of a
  /// legacy array member), in the device's metadata and so in every reading.
  static let resourceKey = "odata_id"
  /// Context key naming the BMC as configured (not part of the ID, which survives a new address).
  static let endpointKey = "endpoint"

  /// One prototype per point, in inventory order. Points that cannot become devices (no
  /// handler or output, a key in `claimed` or seen already) are left out and returned as
  /// problems; an unparsable tag or invalid thresholds drop only that tag or those thresholds.
  static func prototypes(
    _ inventory: RedfishInventory, endpoint: String, outputs: [String: Output], claimed: Set<String> = []
  ) -> (prototypes: [DeviceConfig.Prototype], problems: [String]) {
    var prototypes: [DeviceConfig.Prototype] = []
    var problems: [String] = []
    var keys = claimed
    var shadowed = 0
    for point in inventory.points {
      let key = key(inventory, point)
      guard deviceTypes.contains(point.deviceType) else {
        problems.append("\(point.key): device type '\(point.deviceType)' has no handler; left out")
        continue
      }
      guard let output = outputs[point.output] else {
        problems.append("\(point.key): output '\(point.output)' is not registered; left out")
        continue
      }
      if claimed.contains(key) {
        shadowed += 1
        continue
      }
      guard keys.insert(key).inserted else {
        problems.append("\(point.key): listed twice by this BMC; served once")
        continue
      }
      var instance = DeviceConfig.Instance()
      instance.type = point.deviceType
      instance.handler = handlerName(point)
      instance.info = point.name
      instance.output = output.name
      instance.data = .map([("key", .string(key)), ("endpoint", .string(endpoint))])
      // Device config text is rendered as Go templates; a BMC's text must stay literal.
      instance.context = [(resourceKey, point.key), (endpointKey, endpoint)].filter { !$0.1.contains("{{") }
      instance.location = "\(endpoint) \(point.key)"
      // A reset is confirmed once PowerState reads back; servers take a minute or more to boot.
      if case .reset = point.control { instance.writeTimeout = .seconds(180) }
      // Which BMC: two of one model have the same chassis and sensor tags.
      instance.tags.append(endpointTag(endpoint))
      for tag in point.tags {
        if !tag.contains("{{"), (try? Tag(parsing: tag)) != nil {
          instance.tags.append(tag)
        } else {
          problems.append("\(point.key): tag '\(tag)' is not a valid Synse tag; left out")
        }
      }
      if let thresholds = point.thresholds {
        do {
          try thresholds.validate()
          instance.thresholds = [ReadingSelector(readingType: output.type): thresholds]
        } catch {
          problems.append("\(point.key): thresholds not used: \(error)")
        }
      }
      var prototype = DeviceConfig.Prototype()
      prototype.type = point.deviceType
      prototype.handler = instance.handler
      prototype.instances = [instance]
      prototypes.append(prototype)
    }
    // One line, not one per point: a BMC reached at two addresses repeats every device.
    if shadowed > 0 {
      problems.append(
        "\(shadowed) points are already devices of an earlier-configured BMC with the same service UUID (\(inventory.serviceUUID)); served once, from there")
    }
    return (prototypes, problems)
  }

  /// `redfish/endpoint:<host[-port]>`: the endpoint without its scheme, as a tag label.
  static func endpointTag(_ endpoint: String) -> String {
    let host = endpoint.split(separator: "://", maxSplits: 1).last.map(String.init) ?? endpoint
    return "redfish/endpoint:" + (PointFactory.label(host) ?? "unknown")
  }

  /// A point's current value as the device's one reading, with the point's context (Redfish
  /// `Status.Health`/`State`, physical context, chassis) as the reading's context.
  static func reading(_ point: RedfishPoint, output: Output) -> Reading {
    let value: ReadingValue
    switch point.value {
    case .number(let number): value = .float64(number)
    case .text(let text) where point.deviceType == "power-state" || point.deviceType == "outlet": value = .string(synseState(text))
    case .text(let text): value = .string(text)
    case .absent: value = .none
    }
    return output.reading(value, context: point.context)
  }

  /// A Redfish `PowerState` as Synse states read (and as writes take them, like LEDs): `On` →
  /// `on`, `PoweringOff` → `powering-off`, `Paused` → `paused`.
  static func synseState(_ text: String) -> String {
    var result = ""
    for (index, character) in text.enumerated() {
      if character.isUppercase, index > 0 { result.append("-") }
      result.append(contentsOf: character.lowercased())
    }
    return result
  }
}
