import Foundation
import SynseSDK

/// What one Synse write (`action` `state`, `data` such as `on`) becomes on the wire, and the
/// property value that reading the point's resource back must show before the write is done.
///
/// Built by ``init(control:path:action:data:)`` without any request, so bad data is refused
/// before the BMC is touched.
struct RedfishWritePlan: Sendable, Equatable {
  /// PATCH updates the point's own resource (DSP0266 §7.6, with `If-Match` when it has an
  /// etag); POST invokes an action's `target` (DSP0266 §7.10).
  enum Method: String, Sendable, Equatable { case patch = "PATCH", post = "POST" }

  var method: Method
  /// The resource (PATCH) or the action target (POST).
  var path: String
  /// The body's only property: `IndicatorLED`, `LocationIndicatorActive`, `ResetType` or `PowerState`.
  var field: String
  var value: RedfishScalar
  /// The property of the point's resource that confirms the write (`IndicatorLED`, …, `PowerState`).
  var readBack: String
  /// The value ``readBack`` must reach.
  var expected: RedfishScalar

  init(method: Method, path: String, field: String, value: RedfishScalar, readBack: String, expected: RedfishScalar) {
    self.method = method
    self.path = path
    self.field = field
    self.value = value
    self.readBack = readBack
    self.expected = expected
  }

  /// The JSON request body, `{"<field>": <value>}`.
  var body: Data {
    // A one-entry dictionary of a string or a Bool always encodes.
    (try? JSONEncoder().encode([field: value])) ?? Data()
  }

  /// Maps a write on a point to its request; every control takes the one action `state`.
  /// - Parameters:
  ///   - control: how the point is written (from discovery).
  ///   - path: the point's resource (``RedfishPoint/path``), read back to confirm.
  ///   - data: LEDs `on`/`off`/`blink` (or `Lit`/`Off`/`Blinking`); system power `on`, `off`,
  ///     `cycle`, `reset` or a DSP0268 `ResetType` the system allows; outlets `on`/`off`/`cycle`
  ///     (or `On`/`Off`/`PowerCycle`). Case does not matter.
  /// - Throws: ``HandlerError`` naming the accepted values (an unknown action or value, `blink`
  ///   on a `LocationIndicatorActive` LED, a value the service's `@Redfish.AllowableValues` excludes).
  init(control: RedfishControl, path: String, action: String, data: String) throws(HandlerError) {
    guard action == "state" else {
      throw HandlerError("unsupported write action '\(action)' for \(path) (want state)")
    }
    let wanted = data.trimmingCharacters(in: .whitespaces)
    switch control {
    case .indicatorLED:
      let led = try Self.choose(wanted, from: RedfishWriteValues.indicatorLED, path: path, kind: "LED state")
      self.init(method: .patch, path: path, field: "IndicatorLED", value: .text(led), readBack: "IndicatorLED", expected: .text(led))
    case .locationIndicator:
      if wanted.lowercased() == "blink" {
        throw HandlerError(
          "LED state 'blink' is not available for \(path): it has only LocationIndicatorActive (want on or off)")
      }
      let lit = try Self.choose(wanted, from: RedfishWriteValues.locationIndicator, path: path, kind: "LED state")
      let flag = RedfishScalar.flag(lit == "true")
      self.init(method: .patch, path: path, field: "LocationIndicatorActive", value: flag,
                readBack: "LocationIndicatorActive", expected: flag)
    case .reset(let target, let allowable):
      let reset = try RedfishWriteValues.resetType(for: wanted, allowable: allowable, path: path)
      self.init(method: .post, path: target, field: "ResetType", value: .text(reset.type),
                readBack: "PowerState", expected: .text(reset.powerState))
    case .outletPower(let target, let allowable):
      let outlet = try RedfishWriteValues.outletPowerState(for: wanted, allowable: allowable, path: path)
      self.init(method: .post, path: target, field: "PowerState", value: .text(outlet.type),
                readBack: "PowerState", expected: .text(outlet.powerState))
    }
  }

  /// `data` → the Redfish value of a fixed table (Synse name or Redfish name, any case).
  private static func choose(
    _ data: String, from table: [(synse: String, redfish: String)], path: String, kind: String
  ) throws(HandlerError) -> String {
    let key = data.lowercased()
    if let row = table.first(where: { $0.synse == key || $0.redfish.lowercased() == key }) { return row.redfish }
    let wanted = RedfishWriteValues.list(table.map(\.synse), or: "or")
    if data.isEmpty { throw HandlerError("write action 'state' requires data (want \(wanted))") }
    throw HandlerError("unsupported \(kind) '\(data)' for \(path) (want \(wanted))")
  }

  /// `PATCH /redfish/v1/Chassis/1 {"IndicatorLED":"Lit"}`, for error texts.
  var summary: String {
    "\(method.rawValue) \(path) {\"\(field)\": \(value)}"
  }
}

/// A JSON string or Boolean, the only kinds of value a Synse write sends to Redfish.
enum RedfishScalar: Sendable, Equatable, Encodable, CustomStringConvertible {
  case text(String)
  case flag(Bool)

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .text(let text): try container.encode(text)
    case .flag(let flag): try container.encode(flag)
    }
  }

  /// As JSON shows it: `"Lit"`, `true`.
  var description: String {
    switch self {
    case .text(let text): "\"\(text)\""
    case .flag(let flag): "\(flag)"
    }
  }
}
