public import SynseSupport

/// A device profile: which OIDs of an agent become which Synse devices, of what type, unit and
/// scale (docs/snmp.md, "Profiles"). Profiles are data: YAML shipped with the plugin
/// (`plugins/snmp/config/profiles`) or in `SNMP_PROFILES_DIR`; ``SNMPProfileParser`` reads them.
public struct SNMPProfile: Sendable {
  /// What a target's `profile:` names.
  public let name: String
  public let description: String
  /// Prefixes of `sysObjectID.0` (SNMPv2-MIB) this profile serves: the longest matching prefix
  /// of all profiles chooses.
  public let sysObjectIDs: [OID]
  /// Chooses the profile when no prefix matches and this OID has a value.
  public let probe: OID?
  public let devices: [DeviceSpec]

  /// One kind of device: a scalar (one device) or a table column (one device per row).
  public struct DeviceSpec: Sendable {
    /// Stable within the profile: with the row index, a device's identity on its target.
    public let key: String
    /// Synse device type and output name (SynseSDK `Output`); for ENTITY-SENSOR-MIB rows,
    /// chosen per row instead (``entitySensor``).
    public let type: String
    public let output: String
    /// `{index}` is the row index, `{label}` the ``label`` column's text.
    public let info: String
    /// The column walked for rows; nil for a scalar.
    public let rows: OID?
    /// The value's column (row index appended) or, for a scalar, its OID.
    public let value: OID
    /// Reading = raw × scale.
    public let scale: Double
    public let label: OID?
    /// INTEGER values → text; the reading is then the text.
    public let states: [Int64: String]
    public let thresholds: [(kind: ThresholdKind, source: ThresholdSource)]
    public let write: WriteSpec?
    /// RFC 3433 rows: type, unit, scale and precision from entPhySensorType/Scale/Precision.
    public let entitySensor: Bool
    /// For agents with a unit setting (Geist's temperatureUnits.0): while this scalar reads
    /// `equals`, values and thresholds are Fahrenheit and are converted to Celsius.
    public let fahrenheitWhen: (oid: OID, equals: Int64)?
  }

  public enum ThresholdSource: Sendable {
    /// A column of the row (index appended), or a scalar OID for a scalar device; × scale.
    case oid(OID, scale: Double)
    case fixed(Double)
  }

  /// Synse write action `state` as an INTEGER SET, confirmed by reading ``DeviceSpec/value`` back.
  public struct WriteSpec: Sendable {
    public let oid: OID
    /// Write data → INTEGER sent.
    public let values: [String: Int]
    /// Write data → the reading (after `states`) that confirms it.
    public let confirm: [String: String]
  }
}
