import SynseSupport

/// Builds ``RedfishPoint``s with one context and tag scheme for every source.
///
/// Context keys: `health` (`Status.Health`), `state` (`Status.State`), `physical_context`
/// (`PhysicalContext`), `chassis` (the chassis `Id`), `system`/`pdu` for system and PDU points,
/// `unit` when the reading's unit has no SDK output (output `number`).
/// Tags (SDK syntax `[namespace/][annotation:]label`, namespace `redfish`):
/// `redfish/chassis:<Id>`, `redfish/system:<Id>`, `redfish/pdu:<Id>`,
/// `redfish/physical-context:<PhysicalContext>`, `redfish/type:<deviceType>`; characters a
/// label may not hold (whitespace, `/`, `:`) become `-`.
struct PointFactory: Sendable {
  /// Where the points are: `chassis`, `system` or `pdu`, and its `Id`.
  var place: [(annotation: String, id: String)]

  static func chassis(_ id: String) -> PointFactory { PointFactory(place: [("chassis", id)]) }

  /// A reading point; `kind` decides device type and output.
  func reading(
    key: String, path: String, kind: ReadingKind, name: String, value: Double?, status: RedfishStatus?,
    physicalContext: String?, thresholds: Thresholds?
  ) -> RedfishPoint {
    var context = baseContext(status: status)
    if let physicalContext { context["physical_context"] = physicalContext }
    if let unit = kind.unitNote { context["unit"] = unit }
    var tags = placeTags
    if let physicalContext, let label = Self.label(physicalContext) { tags.append("redfish/physical-context:\(label)") }
    if let label = Self.label(kind.deviceType) { tags.append("redfish/type:\(label)") }
    return RedfishPoint(
      key: key, path: path, deviceType: kind.deviceType, output: kind.output, name: name,
      value: value.map(RedfishValue.number) ?? .absent, context: context, tags: tags, thresholds: thresholds)
  }

  /// A control point (LED, power state, outlet) read as text with output `state`.
  func control(
    key: String, path: String, deviceType: String, name: String, value: String?, status: RedfishStatus?,
    control: RedfishControl
  ) -> RedfishPoint {
    var tags = placeTags
    if let label = Self.label(deviceType) { tags.append("redfish/type:\(label)") }
    return RedfishPoint(
      key: key, path: path, deviceType: deviceType, output: "state", name: name,
      value: value.map(RedfishValue.text) ?? .absent, context: baseContext(status: status), tags: tags, control: control)
  }

  /// The chassis or system LED: `LocationIndicatorActive` (true/false) when the resource has
  /// it, else `IndicatorLED` (`Lit`/`Blinking`/`Off`); nil when it has neither. The value is
  /// Synse's LED state, `on`, `blink` or `off`, whichever property it came from.
  func led(key: String, name: String, status: RedfishStatus?, indicatorLED: String?, locationIndicator: Bool?) -> RedfishPoint? {
    if let active = locationIndicator {
      return control(
        key: key + "#/LocationIndicatorActive", path: key, deviceType: "led", name: name, value: active ? "on" : "off",
        status: status, control: .locationIndicator)
    }
    guard let led = indicatorLED else { return nil }
    let state = ["Lit": "on", "Blinking": "blink", "Off": "off"][led] ?? led
    return control(
      key: key + "#/IndicatorLED", path: key, deviceType: "led", name: name, value: state, status: status,
      control: .indicatorLED)
  }

  private func baseContext(status: RedfishStatus?) -> [String: String] {
    var context: [String: String] = [:]
    if let health = status?.Health { context["health"] = health }
    if let state = status?.State { context["state"] = state }
    for (annotation, id) in place { context[annotation] = id }
    return context
  }

  private var placeTags: [String] {
    place.compactMap { annotation, id in Self.label(id).map { "redfish/\(annotation):\($0)" } }
  }

  /// `text` as a tag label: whitespace, `/` and `:` replaced by `-`; nil when empty.
  static func label(_ text: String) -> String? {
    let label = String(text.map { $0.isWhitespace || $0 == "/" || $0 == ":" ? "-" : $0 })
    return label.isEmpty ? nil : label
  }
}
