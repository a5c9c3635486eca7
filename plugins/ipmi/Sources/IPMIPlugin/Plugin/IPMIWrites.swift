import Foundation
import SynseSDK

/// Chassis power and identify writes, each confirmed by reading Get Chassis Status back.
enum IPMIWrites {
  /// Action `state`, data `on`, `off`, `cycle`, `reset` or `soft` (Chassis Control, IPMI 2.0
  /// §28.3). Done once chassis status shows power on (`on`, `cycle`, `reset`) or off (`off`,
  /// `soft`), polled every 500 ms; the SDK's write timeout bounds the wait, and so do three
  /// failed status reads in a row (an ERROR naming the last one). `cycle` and `reset`
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
    let wanted = control != .off && control != .soft ? "on" : "off"
    // A BMC busy with the change may not answer at once (or drop the session), so one failed
    // status read does not end the wait; `statusFailuresAllowed` in a row do, naming the last
    // error, since a BMC that stopped answering would otherwise hold the write (and every later
    // one to the device) for the SDK's whole write timeout.
    var failures = 0
    var lastError: IPMIError?
    while true {
      do {
        if try await bmc.chassisStatus().powerOn == (wanted == "on") { return }
        failures = 0
      } catch {
        guard !Task.isCancelled else { break }
        failures += 1
        lastError = error
        if failures >= statusFailuresAllowed {
          throw HandlerError("the power command was sent, then Get Chassis Status failed \(failures) times in a row (\(error)): whether power is \(wanted) is unknown")
        }
      }
      do { try await Task.sleep(for: .milliseconds(500)) } catch { break }
    }
    // Cancelled (the write timed out, or the plugin is stopping): say how far it got.
    throw HandlerError("chassis power does not read \(wanted) yet" + (lastError.map { "; the last Get Chassis Status failed: \($0)" } ?? ""))
  }

  /// Failed Get Chassis Status reads in a row after a power command that end its write.
  static let statusFailuresAllowed = 3

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
