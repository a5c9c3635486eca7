import Foundation

/// `Chassis.v1_x`: the links discovery follows and the chassis indicator.
typealias ChassisResource = Headed<ChassisProperties>
struct ChassisProperties: Decodable, Sendable {
  /// Deprecated in Chassis v1_14 for `LocationIndicatorActive`, still what most BMCs send.
  var IndicatorLED: String?
  var LocationIndicatorActive: Bool?
  var Sensors: RedfishRef?
  var Thermal: RedfishRef?
  var Power: RedfishRef?
}

/// `Sensor.v1_x` (the modern per-sensor resource in a chassis' `Sensors` collection).
typealias SensorResource = Headed<SensorProperties>
struct SensorProperties: Decodable, Sendable {
  var Reading: Double?
  /// UCUM (`Cel`, `V`, `W`, `A`, `RPM`, `%`, `kW.h`, `Hz`, `Pa`, …).
  var ReadingUnits: String?
  /// `Temperature`, `Voltage`, `Rotational`, `Percent`, … (absent on some services: the unit
  /// then decides).
  var ReadingType: String?
  var PhysicalContext: String?
  var Thresholds: SensorThresholds?
  /// Set on fan sensors (Sensor v1_2): a `Percent` sensor with it is a fan's speed.
  var SpeedRPM: Double?
  var RelatedItem: [RedfishRef]?
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
  var Reading: ThresholdNumber?
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
typealias LegacyReading = Headed<LegacyReadingProperties>
struct LegacyReadingProperties: Decodable, Sendable {
  /// Thermal v1_0 named fans `FanName`.
  var FanName: String?
  var ReadingCelsius: Double?
  var ReadingVolts: Double?
  var Reading: Double?
  var ReadingRPM: Double?
  var ReadingUnits: String?
  var PhysicalContext: String?
  var RelatedItem: [RedfishRef]?
  /// Not in the legacy schemas, but honoured when a service links the member to its `Sensor`.
  var DataSourceUri: String?
  var UpperThresholdNonCritical: ThresholdNumber?
  var UpperThresholdCritical: ThresholdNumber?
  var UpperThresholdFatal: ThresholdNumber?
  var LowerThresholdNonCritical: ThresholdNumber?
  var LowerThresholdCritical: ThresholdNumber?
  var LowerThresholdFatal: ThresholdNumber?
}

/// A member of `Power.PowerSupplies`. Each reading property the member has (even `null`) is a
/// point, so a supply whose reading turns `null` keeps its device; a property it lacks is none.
typealias LegacyPowerSupply = Headed<PowerSupplyReadings>
struct PowerSupplyReadings: Decodable, Sendable {
  /// The reading properties read, with their UCUM unit, in output order.
  static let readings: [(property: String, unit: String)] = [
    ("PowerInputWatts", "W"), ("PowerOutputWatts", "W"), ("LastPowerOutputWatts", "W"), ("LineInputVoltage", "V"),
  ]

  var RelatedItem: [RedfishRef]?
  /// Present reading properties in ``readings`` order, each with its value or nil for `null`.
  var present: [(property: String, unit: String, value: Double?)] = []

  init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: AnyKey.self)
    RelatedItem = try c.decodeIfPresent([RedfishRef].self, forKey: AnyKey("RelatedItem"))
    for (property, unit) in Self.readings where c.contains(AnyKey(property)) {
      present.append((property, unit, try c.decodeIfPresent(Double.self, forKey: AnyKey(property))))
    }
  }
}

/// A member of `Power.PowerControl`: `PowerConsumedWatts` is its reading.
typealias LegacyPowerControl = Headed<PowerControlProperties>
struct PowerControlProperties: Decodable, Sendable {
  var PowerConsumedWatts: Double?
  var PhysicalContext: String?
  var RelatedItem: [RedfishRef]?
}

/// A threshold's number as a service sent it: a number, `null`, or something else (`"N/A"`,
/// seen on BMCs) kept as text, so one bad threshold drops only itself, with a problem, and not
/// the whole resource and its reading with it.
struct ThresholdNumber: Decodable, Sendable {
  var value: Double?
  /// What was sent instead of a number (JSON text), nil when it was a number or `null`.
  var invalid: String?

  init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { return }
    if let number = try? c.decode(Double.self) {
      value = number
    } else if let text = try? c.decode(String.self) {
      invalid = "\"\(text)\""
    } else if let flag = try? c.decode(Bool.self) {
      invalid = "\(flag)"
    } else {
      invalid = "an object or array"
    }
  }
}
