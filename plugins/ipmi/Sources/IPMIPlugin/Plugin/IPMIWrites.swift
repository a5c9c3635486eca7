import Foundation
import SynseSDK

/// Chassis power and identify writes, each confirmed by reading Get Chassis Status back.
enum IPMIWrites {
  /// Action `state`, data `on`, `off`, `cycle`, `reset` or `soft` (Chassis Control, IPMI 2.0
  /// §28.3). Done once chassis status shows power on (`on`, `cycle`, `reset`) or off (`off`,
  /// `soft`), polled every 500 ms; the SDK's write timeout bounds the wait. `cycle` and `reset`
  /// act only on a running chassis (§28.3: no effect when off), so on an off one they fail at
  /// once instead of waiting out the timeout for power that never comes.
  static func power(_ data: WriteData, on bmc: BMCConnection) async throws {
    let text = data.text.trimmingCharacters(in: .whitespaces).lowercased()
    guard data.action == "state", let control = ChassisControl.allCases.first(where: { $0.action == text }) else {
      throw HandlerError("chassis power takes action 'state' with data on, off, cycle, reset or soft (got action '\(data.action)', data '\(data.text)')")
    }
    if control == .cycle || control == .reset, try await bmc.chassisStatus().powerOn == false {
      throw HandlerError("chassis power is off: '\(control.action)' acts only on a running chassis; write 'on' to power it on")
    }
    try await bmc.chassisControl(control)
    let wantOn = control != .off && control != .soft
    // A BMC busy with the change may not answer at once (or drop the session): the SDK's
    // write timeout, not one failed status read, ends the wait.
    while true {
      if (try? await bmc.chassisStatus())?.powerOn == wantOn { return }
      try await Task.sleep(for: .milliseconds(500))
    }
  }

  /// Action `state` with `on` (until turned off) or `off`, or action `identify` with a number
  /// of seconds from 1 to 255 (Chassis Identify, IPMI 2.0 §28.5). Confirmed by chassis status
  /// where the BMC reports the identify state.
  static func identify(_ data: WriteData, on bmc: BMCConnection) async throws {
    let text = data.text.trimmingCharacters(in: .whitespaces).lowercased()
    let seconds: UInt8?
    switch (data.action, text) {
    case ("state", "on"): seconds = nil
    case ("state", "off"): seconds = 0
    case ("identify", _):
      guard let value = UInt8(text), value > 0 else {
        throw HandlerError("identify takes a number of seconds from 1 to 255 (got '\(data.text)')")
      }
      seconds = value
    default:
      throw HandlerError("chassis identify takes action 'state' with on or off, or 'identify' with seconds (got action '\(data.action)', data '\(data.text)')")
    }
    try await bmc.chassisIdentify(seconds: seconds)
    guard let state = try await bmc.chassisStatus().identify else { return }
    let wantOff = seconds == 0
    if (state == .off) != wantOff {
      throw HandlerError("chassis identify reads \(state) after the write")
    }
  }
}
