import SynseSDK

/// The values a Synse `state` write accepts per Redfish control, and the Redfish value each
/// becomes. Synse names follow the original Synse emulator (`led`: on/off/blink; `power`:
/// on/off/cycle) plus `reset`; Redfish names are DSP0268's (Resource `IndicatorLED`,
/// `ResetType`; Outlet `PowerState`).
enum RedfishWriteValues {
  /// `IndicatorLED` (Resource schema, deprecated in favour of `LocationIndicatorActive` but common).
  static let indicatorLED: [(synse: String, redfish: String)] = [("on", "Lit"), ("off", "Off"), ("blink", "Blinking")]
  /// `LocationIndicatorActive` is a Boolean: there is no blinking state to ask for.
  static let locationIndicator: [(synse: String, redfish: String)] = [("on", "true"), ("off", "false")]

  /// A request value and the `PowerState` that confirms it.
  struct Outcome: Equatable {
    var type: String
    var powerState: String
  }

  /// DSP0268 `ResetType` values whose final `PowerState` is known, so the write can be
  /// confirmed by reading it back. Restarts and cycles end `On`. `Nmi`, `PushPowerButton`,
  /// `Pause`, `Resume` and `Suspend` leave no state to confirm and are not offered.
  static let resetOutcomes: [String: String] = [
    "On": "On", "ForceOn": "On", "ForceOff": "Off", "GracefulShutdown": "Off",
    "ForceRestart": "On", "GracefulRestart": "On", "PowerCycle": "On", "FullPowerCycle": "On",
  ]
  /// Synse names → `ResetType`s in order of preference; the first the system allows is sent.
  /// `off` prefers ForceOff because, like IPMI `chassis power off`, it cannot hang on an OS that
  /// ignores the shutdown request; send `GracefulShutdown` by name for the polite way.
  static let resetChoices: [(synse: String, types: [String])] = [
    ("on", ["On", "ForceOn"]),
    ("off", ["ForceOff", "GracefulShutdown"]),
    ("cycle", ["PowerCycle", "ForceRestart", "GracefulRestart"]),
    ("reset", ["ForceRestart", "GracefulRestart"]),
  ]
  /// The `ResetType` enum's order, used when a service lists no `@Redfish.AllowableValues`
  /// (then every value of the schema may be sent, DSP0266 §7.10.1).
  static let resetTypeOrder = [
    "On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn",
    "PushPowerButton", "PowerCycle", "Suspend", "Pause", "Resume", "FullPowerCycle",
  ]

  /// `#ComputerSystem.Reset`: a Synse name or an allowable `ResetType` → what to send.
  /// - Throws: ``HandlerError`` naming the accepted values, or the allowable ones when none of a
  ///   Synse name's `ResetType`s is allowed.
  static func resetType(for data: String, allowable: [String], path: String) throws(HandlerError) -> Outcome {
    let allowed = allowable.isEmpty ? resetTypeOrder : allowable
    let key = data.lowercased()
    if let choice = resetChoices.first(where: { $0.synse == key }) {
      guard let type = choice.types.first(where: allowed.contains) else {
        throw HandlerError(
          "power state '\(data)' is not possible on \(path): it needs ResetType \(list(choice.types, or: "or")), "
            + "and the system allows only \(list(allowed, or: "and"))")
      }
      return Outcome(type: type, powerState: resetOutcomes[type] ?? "On")
    }
    if let type = allowed.first(where: { $0.lowercased() == key }), let state = resetOutcomes[type] {
      return Outcome(type: type, powerState: state)
    }
    let synse = resetChoices.map(\.synse)
    let named = allowed.filter { resetOutcomes[$0] != nil && !synse.contains($0.lowercased()) }
    let wanted = list(synse + named, or: "or")
    if data.isEmpty { throw HandlerError("write action 'state' requires data (want \(wanted))") }
    if let type = resetTypeOrder.first(where: { $0.lowercased() == key }) {
      let why = resetOutcomes[type] == nil ? "leaves no power state to confirm" : "is not allowed by the system"
      throw HandlerError("ResetType '\(type)' \(why) on \(path) (want \(wanted))")
    }
    throw HandlerError("unsupported power state '\(data)' for \(path) (want \(wanted))")
  }

  /// `#Outlet.PowerControl` `PowerState` values (DSP0268 Outlet; `PowerCycle` ends `On`).
  static let outletChoices: [(synse: String, type: String, powerState: String)] = [
    ("on", "On", "On"), ("off", "Off", "Off"), ("cycle", "PowerCycle", "On"),
  ]

  /// `#Outlet.PowerControl`: on/off/cycle (or On/Off/PowerCycle) → what to send.
  /// - Throws: ``HandlerError`` naming the accepted values or the allowable ones.
  static func outletPowerState(for data: String, allowable: [String], path: String) throws(HandlerError) -> Outcome {
    let key = data.lowercased()
    guard let choice = outletChoices.first(where: { $0.synse == key || $0.type.lowercased() == key }) else {
      let wanted = list(outletChoices.map(\.synse), or: "or")
      if data.isEmpty { throw HandlerError("write action 'state' requires data (want \(wanted))") }
      throw HandlerError("unsupported outlet power state '\(data)' for \(path) (want \(wanted))")
    }
    guard allowable.isEmpty || allowable.contains(choice.type) else {
      throw HandlerError(
        "outlet power state '\(data)' is not possible on \(path): it needs PowerState \(choice.type), "
          + "and the outlet allows only \(list(allowable, or: "and"))")
    }
    return Outcome(type: choice.type, powerState: choice.powerState)
  }

  /// `a, b or c`.
  static func list(_ values: [String], or word: String) -> String {
    guard values.count > 1 else { return values.first ?? "none" }
    return values.dropLast().joined(separator: ", ") + " \(word) " + values[values.count - 1]
  }
}
