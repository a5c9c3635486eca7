import Foundation

/// `ComputerSystem.v1_x`: power state, its `#ComputerSystem.Reset` action and the system LED.
typealias SystemResource = Headed<SystemProperties>
struct SystemProperties: Decodable, Sendable {
  var PowerState: String?
  var IndicatorLED: String?
  var LocationIndicatorActive: Bool?
  var Actions: Actions?

  struct Actions: Decodable, Sendable {
    var reset: RedfishAction?
    enum CodingKeys: String, CodingKey { case reset = "#ComputerSystem.Reset" }
  }
}

/// An action (DSP0266 §7.7): `target` to POST to, and its parameter's allowable values either
/// inline (`<Parameter>@Redfish.AllowableValues`) or in the `@Redfish.ActionInfo` resource.
struct RedfishAction: Decodable, Sendable {
  var target: String?
  var actionInfo: String?
  /// Every `…@Redfish.AllowableValues` annotation, by parameter name.
  var allowable: [String: [String]] = [:]

  init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: AnyKey.self)
    target = try c.decodeIfPresent(String.self, forKey: AnyKey("target"))
    actionInfo = try c.decodeIfPresent(String.self, forKey: AnyKey("@Redfish.ActionInfo"))
    for key in c.allKeys where key.stringValue.hasSuffix("@Redfish.AllowableValues") {
      let parameter = String(key.stringValue.dropLast("@Redfish.AllowableValues".count))
      allowable[parameter] = try c.decodeIfPresent([String].self, forKey: key)
    }
  }
}

/// `ActionInfo.v1_x`: `Parameters[].AllowableValues` of an action.
struct ActionInfoResource: Decodable, Sendable {
  var Parameters: [Parameter]?
  struct Parameter: Decodable, Sendable {
    var Name: String?
    var AllowableValues: [String]?
  }
}

/// `PowerEquipment.v1_x` (`/redfish/v1/PowerEquipment`).
struct PowerEquipmentResource: Decodable, Sendable {
  var RackPDUs: RedfishRef?
}

/// `PowerDistribution.v1_x`, a rack PDU: its `Mains`, `Branches` and `Outlets` collections.
typealias PowerDistributionResource = Headed<PowerDistributionProperties>
struct PowerDistributionProperties: Decodable, Sendable {
  var Mains: RedfishRef?
  var Branches: RedfishRef?
  var Outlets: RedfishRef?
}

/// `Circuit.v1_x` (mains, branches) and `Outlet.v1_x`: their sensor excerpts and, for outlets,
/// `PowerState` with `#Outlet.PowerControl`.
typealias CircuitResource = Headed<CircuitProperties>
struct CircuitProperties: Decodable, Sendable {
  /// The single-phase excerpt properties read, with their UCUM unit, in output order.
  static let excerpts: [(property: String, unit: String)] = [
    ("Voltage", "V"), ("CurrentAmps", "A"), ("PowerWatts", "W"), ("EnergykWh", "kW.h"), ("FrequencyHz", "Hz"),
  ]
  /// The poly-phase excerpt maps (`Line1ToNeutral`, `Line1`, …), with their unit.
  static let polyPhase: [(property: String, unit: String)] = [
    ("PolyPhaseVoltage", "V"), ("PolyPhaseCurrentAmps", "A"), ("PolyPhasePowerWatts", "W"),
  ]

  var PowerState: String?
  var powerControl: RedfishAction?
  /// Every excerpt present, in ``excerpts`` then ``polyPhase`` order (lines sorted), with its
  /// JSON pointer below the resource (`/CurrentAmps`, `/PolyPhaseVoltage/Line1ToNeutral`).
  var readings: [(pointer: String, unit: String, excerpt: SensorExcerpt)] = []

  init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: AnyKey.self)
    PowerState = try c.decodeIfPresent(String.self, forKey: AnyKey("PowerState"))
    if c.contains(AnyKey("Actions")) {
      let actions = try c.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("Actions"))
      powerControl = try actions.decodeIfPresent(RedfishAction.self, forKey: AnyKey("#Outlet.PowerControl"))
    }
    for (property, unit) in Self.excerpts {
      if let excerpt = try c.decodeIfPresent(SensorExcerpt.self, forKey: AnyKey(property)) {
        readings.append(("/\(property)", unit, excerpt))
      }
    }
    for (property, unit) in Self.polyPhase {
      guard let lines = try c.decodeIfPresent([String: SensorExcerpt?].self, forKey: AnyKey(property)) else { continue }
      for line in lines.keys.sorted() {
        if let excerpt = lines[line] ?? nil { readings.append(("/\(property)/\(line)", unit, excerpt)) }
      }
    }
  }
}

/// `Sensor` excerpts inside circuits (`SensorVoltageExcerpt`, `SensorCurrentExcerpt`, …):
/// `Reading`, and `DataSourceUri` naming the full `Sensor` when the service has one.
struct SensorExcerpt: Decodable, Sendable {
  var Reading: Double?
  var DataSourceUri: String?
  var Thresholds: SensorThresholds?
}
