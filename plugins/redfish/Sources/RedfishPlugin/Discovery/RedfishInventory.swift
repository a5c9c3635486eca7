public import SynseSupport

/// What one walk of a BMC found (discovery and every poll are the same walk): the service's
/// identity and every point with its current value, sorted by key. Built by
/// ``RedfishDiscovery/walk(_:logger:)`` from a ``RedfishTransport``; turned into SDK devices and
/// readings by the plugin.
public struct RedfishInventory: Sendable, Equatable {
  /// `ServiceRoot.UUID` (DSP0266 §9.1); device IDs are keyed on it so they survive BMC reboots
  /// and address changes. Falls back to the endpoint URL when the service has none.
  public var serviceUUID: String
  /// Every sensor and control, each once (a sensor in both `Sensors` and `Thermal`/`Power` is
  /// kept once, from `Sensors`).
  public var points: [RedfishPoint]
  /// Resources skipped in this walk, each `"<path>: <reason>"` (malformed JSON, 404, wrong
  /// shape, thresholds dropped, …), sorted, for logs and the BMC's health; the other points are
  /// unaffected.
  public var problems: [String]
  /// HTTP requests this walk made (the benchmark's requests per poll).
  public var requestCount: Int

  public init(serviceUUID: String, points: [RedfishPoint] = [], problems: [String] = [], requestCount: Int = 0) {
    self.serviceUUID = serviceUUID
    self.points = points
    self.problems = problems
    self.requestCount = requestCount
  }
}

/// One Synse device's worth of a Redfish service: a sensor reading or a writable control.
public struct RedfishPoint: Sendable, Equatable {
  /// Stable within the service: a Sensor's `@odata.id`; for anything else the resource's
  /// `@odata.id` plus a JSON pointer to the property, with a legacy array member named by its
  /// `MemberId` (else its index): `…/Thermal#/Temperatures/0`,
  /// `…/Power#/PowerSupplies/0/LineInputVoltage`, `…/Outlets/A1#/CurrentAmps`,
  /// `…/Systems/1#/PowerState`, `…/Chassis/1U#/IndicatorLED` (or `#/LocationIndicatorActive`).
  public var key: String
  /// The resource to GET to read it back (`@odata.id` without fragment).
  public var path: String
  /// Synse device type: `temperature`, `fan`, `voltage`, `current`, `power`, `energy`,
  /// `humidity`, `pressure`, `frequency`, `percentage`, `led`, `power-state`, `outlet`, …
  public var deviceType: String
  /// SDK output name (`Output.builtIn`: `temperature`, `rpm`, `voltage`, `watt`, …, or
  /// `state`/`string` for controls) chosen from the Redfish units (UCUM `Cel`, `V`, `W`, …).
  public var output: String
  /// The resource's `Name` (device info).
  public var name: String
  /// The current value; `.absent` for a `null`/missing `Reading`. Controls are text: `led`
  /// points `on`/`blink`/`off` (from `IndicatorLED` `Lit`/`Blinking`/`Off` or
  /// `LocationIndicatorActive` true/false), `power-state` and `outlet` points the Redfish
  /// `PowerState` (`On`, `Off`, `PoweringOn`, …).
  public var value: RedfishValue
  /// Carried into the reading's context: `health` (`Status.Health`: OK/Warning/Critical),
  /// `state` (`Status.State`), `physical_context` (`PhysicalContext`), `chassis` (or `system`,
  /// `pdu`: the `Id`), and `unit` for output `number` (a unit no SDK output has).
  public var context: [String: String]
  /// Tags: per chassis (or system, PDU), physical context and type: `redfish/chassis:<Id>`,
  /// `redfish/system:<Id>`, `redfish/pdu:<Id>`, `redfish/physical-context:<PhysicalContext>`,
  /// `redfish/type:<deviceType>`.
  public var tags: [String]
  /// The resource's `Thresholds` (or legacy `UpperThresholdNonCritical`… fields), in the
  /// reading's unit; nil when it declares none.
  public var thresholds: Thresholds?
  /// How to write it; nil for read-only sensors.
  public var control: RedfishControl?

  public init(
    key: String, path: String, deviceType: String, output: String, name: String, value: RedfishValue,
    context: [String: String] = [:], tags: [String] = [], thresholds: Thresholds? = nil, control: RedfishControl? = nil
  ) {
    self.key = key
    self.path = path
    self.deviceType = deviceType
    self.output = output
    self.name = name
    self.value = value
    self.context = context
    self.tags = tags
    self.thresholds = thresholds
    self.control = control
  }
}

/// A point's current value as Redfish gave it.
public enum RedfishValue: Sendable, Equatable {
  case number(Double)
  case text(String)
  case absent
}

/// How a writable point is written (DSP0268 schemas named per case); the final state is
/// confirmed by reading ``RedfishPoint/path`` back.
public enum RedfishControl: Sendable, Equatable {
  /// PATCH `{"IndicatorLED": "Lit"|"Blinking"|"Off"}` (Chassis/ComputerSystem, deprecated but common).
  case indicatorLED
  /// PATCH `{"LocationIndicatorActive": true|false}` (the modern property).
  case locationIndicator
  /// POST `{"ResetType": …}` to `target` (`#ComputerSystem.Reset`), one of `allowable`.
  case reset(target: String, allowable: [String])
  /// POST `{"PowerState": "On"|"Off"|"PowerCycle"}` to `target` (`#Outlet.PowerControl`).
  case outletPower(target: String, allowable: [String])
}
