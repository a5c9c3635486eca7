import Foundation
import SynseSDK

/// Writes a profile allows (an outlet's on/off/reboot): an INTEGER SET, confirmed by reading the
/// device's value back.
enum SNMPWrites {
  /// Action `state` with one of the profile's write values (`on`, `off`, `reboot` for PDU
  /// outlets). Done once the device reads the value the profile's `confirm` gives, read every
  /// 500 ms; the SDK's write timeout bounds the wait.
  ///
  /// - Throws: ``HandlerError`` for another action or value; ``SNMPError`` as the agent refuses
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
    while true {
      // An agent busy with the change may miss one read: the write timeout ends the wait.
      if let value = try? await target.get(at(spec.value)), reads(value, spec) == wanted { return }
      try await Task.sleep(for: .milliseconds(500))
    }
  }

  private static func reads(_ value: SNMPValue, _ spec: SNMPProfile.DeviceSpec) -> String? {
    if case .integer(let number) = value, let text = spec.states[number] { return text }
    return value.text
  }
}
