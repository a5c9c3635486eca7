import Foundation

/// `Chassis.v1_x`: the links discovery follows and the chassis indicator.
struct ChassisResource: Decodable, Sendable {
  var odataID: String?
  var Id: String?
  var Name: String?
  var Status: RedfishStatus?
  /// Deprecated in Chassis v1_14 for `LocationIndicatorActive`, still what most BMCs send.
  var IndicatorLED: String?
  var LocationIndicatorActive: Bool?
  var Sensors: RedfishRef?
  var Thermal: RedfishRef?
  var Power: RedfishRef?

  enum CodingKeys: String, CodingKey {
    case odataID = "@odata.id"
    case Id, Name, Status, IndicatorLED, LocationIndicatorActive, Sensors, Thermal, Power
  }
}

/// `Sensor.v1_x` (the modern per-sensor resource in a chassis' `Sensors` collection).
struct SensorResource: Decodable, Sendable {
  var odataID: String?
  var Id: String?
  var Name: String?
  var Reading: Double?
  /// UCUM (`Cel`, `V`, `W`, `A`, `RPM`, `%`, `kW.h`, `Hz`, `Pa`, …).
  var ReadingUnits: String?
  /// `Temperature`, `Voltage`, `Rotational`, `Percent`, … (absent on some services: the unit
  /// then decides).
  var ReadingType: String?
  var PhysicalContext: String?
  var Status: RedfishStatus?
  var Thresholds: SensorThresholds?
  /// Set on fan sensors (Sensor v1_2): a `Percent` sensor with it is a fan's speed.
  var SpeedRPM: Double?
  var RelatedItem: [RedfishRef]?

  enum CodingKeys: String, CodingKey {
    case odataID = "@odata.id"
    case Id, Name, Reading, ReadingUnits, ReadingType, PhysicalContext, Status, Thresholds, SpeedRPM, RelatedItem
  }
}

/// `Sensor.Thresholds`: the six standard thresholds (the `…User` ones are user-set copies and
/// are not read).
struct SensorThresholds: Decodable, Sendable {
  var LowerCaution: SensorThreshold?
  var UpperCaution: SensorThreshold?
  var LowerCritical: SensorThreshold?
  var UpperCritical: SensorThreshold?
  var LowerFatal: SensorThreshold?
  var UpperFatal: SensorThreshold?
}

/// `Sensor.Threshold`: `Reading` in the sensor's unit, `Activation` (`Increasing`, `Decreasing`,
/// `Either`, `Disabled`), ISO 8601 `DwellTime`/`HysteresisDuration`, signed `HysteresisReading`.
struct SensorThreshold: Decodable, Sendable {
  var Reading: Double?
  var Activation: String?
  var DwellTime: String?
  var HysteresisReading: Double?
  var HysteresisDuration: String?
}

/// `Thermal.v1_x` (deprecated in favour of `Sensors`/`ThermalSubsystem`, still common).
struct ThermalResource: Decodable, Sendable {
  var Temperatures: [LegacyReading]?
  var Fans: [LegacyReading]?
}

/// `Power.v1_x` (deprecated in favour of `Sensors`/`PowerSubsystem`, still common).
struct PowerResource: Decodable, Sendable {
  var Voltages: [LegacyReading]?
  var PowerSupplies: [LegacyPowerSupply]?
  var PowerControl: [LegacyPowerControl]?
}

/// A member of `Thermal.Temperatures`, `Thermal.Fans` or `Power.Voltages`: one reading with the
/// legacy threshold properties. The reading property differs per array (`ReadingCelsius`,
/// `Reading` with `ReadingUnits` `RPM`/`Percent` — `ReadingRPM` before Thermal v1_0_1 —,
/// `ReadingVolts`); all are decoded and the walker takes the one of its array.
struct LegacyReading: Decodable, Sendable {
  var odataID: String?
  var MemberId: String?
  var Name: String?
  /// Thermal v1_0 named fans `FanName`.
  var FanName: String?
  var ReadingCelsius: Double?
  var ReadingVolts: Double?
  var Reading: Double?
  var ReadingRPM: Double?
  var ReadingUnits: String?
  var PhysicalContext: String?
  var Status: RedfishStatus?
  var RelatedItem: [RedfishRef]?
  /// Not in the legacy schemas, but honoured when a service links the member to its `Sensor`.
  var DataSourceUri: String?
  var UpperThresholdNonCritical: Double?
  var UpperThresholdCritical: Double?
  var UpperThresholdFatal: Double?
  var LowerThresholdNonCritical: Double?
  var LowerThresholdCritical: Double?
  var LowerThresholdFatal: Double?

  enum CodingKeys: String, CodingKey {
    case odataID = "@odata.id"
    case MemberId, Name, FanName, ReadingCelsius, ReadingVolts, Reading, ReadingRPM, ReadingUnits, PhysicalContext
    case Status, RelatedItem, DataSourceUri
    case UpperThresholdNonCritical, UpperThresholdCritical, UpperThresholdFatal
    case LowerThresholdNonCritical, LowerThresholdCritical, LowerThresholdFatal
  }
}

/// A member of `Power.PowerSupplies`. Each reading property the member has (even `null`) is a
/// point, so a supply whose reading turns `null` keeps its device; a property it lacks is none.
struct LegacyPowerSupply: Decodable, Sendable {
  /// The reading properties read, with their UCUM unit, in output order.
  static let readings: [(property: String, unit: String)] = [
    ("PowerInputWatts", "W"), ("PowerOutputWatts", "W"), ("LastPowerOutputWatts", "W"), ("LineInputVoltage", "V"),
  ]

  var odataID: String?
  var MemberId: String?
  var Name: String?
  var Status: RedfishStatus?
  var RelatedItem: [RedfishRef]?
  /// Present reading properties in ``readings`` order, each with its value or nil for `null`.
  var present: [(property: String, unit: String, value: Double?)] = []

  init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: AnyKey.self)
    odataID = try c.decodeIfPresent(String.self, forKey: AnyKey("@odata.id"))
    MemberId = try c.decodeIfPresent(String.self, forKey: AnyKey("MemberId"))
    Name = try c.decodeIfPresent(String.self, forKey: AnyKey("Name"))
    Status = try c.decodeIfPresent(RedfishStatus.self, forKey: AnyKey("Status"))
    RelatedItem = try c.decodeIfPresent([RedfishRef].self, forKey: AnyKey("RelatedItem"))
    for (property, unit) in Self.readings where c.contains(AnyKey(property)) {
      present.append((property, unit, try c.decodeIfPresent(Double.self, forKey: AnyKey(property))))
    }
  }
}

/// A member of `Power.PowerControl`: `PowerConsumedWatts` is its reading.
struct LegacyPowerControl: Decodable, Sendable {
  var odataID: String?
  var MemberId: String?
  var Name: String?
  var PowerConsumedWatts: Double?
  var PhysicalContext: String?
  var Status: RedfishStatus?
  var RelatedItem: [RedfishRef]?

  enum CodingKeys: String, CodingKey {
    case odataID = "@odata.id"
    case MemberId, Name, PowerConsumedWatts, PhysicalContext, Status, RelatedItem
  }
}
