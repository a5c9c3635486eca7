import Foundation
import SynseSDK

/// Writes a profile allows (an outlet's on/off/reboot): an INTEGER SET, confirmed by reading the
/// device's value back.
enum SNMPWrites {
  /// Action `state` with one of the profile's write values (`on`, `off`, `reboot` for PDU
  /// outlets). Done once the device reads the value the profile's `confirm` gives, read every
  /// 500 ms; the SDK's write timeout bounds the wait, and so do three failed read-backs in a row.
  ///
  /// - Throws: ``HandlerError`` for another action or value, or when the read-back fails or
  ///   is cut short (naming what it last read); ``SNMPError`` as the agent refuses
  ///   the SET (notWritable, wrongValue …) or does not answer.
  static func state(_ data: WriteData, device key: String, spec: SNMPProfile.DeviceSpec, index: OID?, on target: SNMPTarget) async throws {
    guard let write = spec.write else { throw HandlerError("this device takes no writes") }
    let text = data.text.trimmingCharacters(in: .whitespaces).lowercased()
    let choices = write.values.keys.sorted().joined(separator: ", ")
    let chosen = write.values.first { $0.key.lowercased() == text }
    guard data.action == "state", let (name, integer) = chosen else {
      throw HandlerError("\(key) takes action 'state' with data \(choices) (got action '\(data.action)', data '\(data.text)')")
    }
    let at = { (oid: OID) in index.map { oid.appending($0) } ?? oid }
    try await target.set(at(write.oid), integer: integer)
    guard let wanted = write.confirm[name] else { return }
    // An agent busy with the change may miss one read; `readFailuresAllowed` in a row end the
    // write, naming the last error, so an agent that stopped answering does not hold the write
    // (and every later one to the device) for the SDK's whole write timeout.
    var failures = 0
    var last = "no read-back yet"
    while true {
      do {
        let value = try await target.get(at(spec.value))
        failures = 0
        if reads(value, spec) == wanted { return }
        last = "it reads \(reads(value, spec) ?? "\(value)")"
      } catch {
        guard !Task.isCancelled else { break }
        failures += 1
        last = "the last read-back failed: \(error)"
        if failures >= readFailuresAllowed {
          throw HandlerError("\(key): the SET was accepted, then reading it back failed \(failures) times in a row (\(error)): whether it is \(wanted) is unknown")
        }
      }
      do { try await Task.sleep(for: .milliseconds(500)) } catch { break }
    }
    // Cancelled (the write timed out, or the plugin is stopping): say how far it got.
    throw HandlerError("\(key) does not read \(wanted) yet: \(last)")
  }

  /// Failed read-backs in a row after an accepted SET that end its write.
  static let readFailuresAllowed = 3

  private static func reads(_ value: SNMPValue, _ spec: SNMPProfile.DeviceSpec) -> String? {
    if case .integer(let number) = value, let text = spec.states[number] { return text }
    return value.text
  }
}
