import Foundation
public import Logging
import Synchronization
public import SynseSDK

/// Turns a channel's files into readings: scaled value, alarm flags as context, faults and
/// impossible values as an invalid (null) reading that says why, and the last good reading
/// (with its own timestamp) when a file fails to read.
public final class HwmonSensors: Sendable {
  let reader: DeadlineReader
  let settings: HwmonSettings
  let logger: Logger
  private let lastGood = Mutex<[String: [Reading]]>([:])

  public init(reader: DeadlineReader, settings: HwmonSettings, logger: Logger) {
    self.reader = reader
    self.settings = settings
    self.logger = logger
  }

  public func read(_ channel: HwmonChannel) async -> [Reading] {
    if !settings.wakeSuspended, let parent = channel.chip.parent,
       let state = try? reader.files.read("\(settings.sysfsRoot)/\(parent)/power/runtime_status"), state == "suspended" {
      return stale(channel, because: "device is runtime-suspended; not woken (wakeSuspended: false)")
    }
    do {
      var readings = try await measure(channel)
      if !readings.isEmpty, readings.allSatisfy({ $0.value != .none }) {
        lastGood.withLock { $0[channel.key] = readings }
      }
      for index in readings.indices { readings[index].context["hwmon"] = channel.chip.hwmon }
      return readings
    } catch {
      return stale(channel, because: error.description)
    }
  }

  private func measure(_ channel: HwmonChannel) async throws(SysfsError) -> [Reading] {
    let chip = channel.chip.displayName
    var readings: [Reading] = []
    var context: [String: String] = [:]
    for item in channel.items.sorted() where item == "alarm" || item.hasSuffix("_alarm") || item == "fault" {
      guard !(channel.family == .intrusion && item == "alarm") else { continue }
      if let flag = try? await reader.read(channel.path(item), chip: chip) { context[item] = flag }
    }
    if channel.family == .pwm, channel.has("enable") {
      let mode = try await reader.read(channel.path("enable"), chip: chip)
      readings.append(Output.state.reading(.string(Self.modeName(mode)), context: ["pwm_enable": mode]))
    }
    guard let valuePath = channel.valuePath else {
      return readings  // limits only (i915 power1), or a pwm without a duty file
    }
    let text = try await reader.read(valuePath, chip: chip)
    let output = channel.family.output
    guard let raw = Int64(text) else {
      return readings + [invalid(channel, "value '\(text)' in \(valuePath) is not an integer", context)]
    }
    if context["fault"] == "1" {
      return readings + [invalid(channel, "the chip flags this sensor as faulty (\(channel.stem)_fault = 1)", context)]
    }
    let value: Double
    switch channel.family {
    case .pwm:
      value = Double(raw) * 100 / 255
      context["raw"] = String(raw)
    case .intrusion:
      return readings + [output.reading(.string(raw == 0 ? "ok" : "intrusion detected"), context: context.merging(["raw": text]) { $1 })]
    default:
      value = Double(raw) / channel.family.divisor
    }
    guard channel.family.plausible.contains(value) else {
      return readings + [invalid(channel, "\(value) is physically impossible for \(channel.family.deviceType) (raw \(raw) in \(valuePath))", context)]
    }
    return readings + [output.reading(.float64(value), context: context)]
  }

  private func invalid(_ channel: HwmonChannel, _ reason: String, _ context: [String: String]) -> Reading {
    channel.family.output.reading(.none, context: context.merging(["invalid": reason]) { $1 })
  }

  /// The last good readings marked stale, or one invalid reading saying why there is none.
  private func stale(_ channel: HwmonChannel, because reason: String) -> [Reading] {
    guard let previous = lastGood.withLock({ $0[channel.key] }) else {
      return [invalid(channel, reason, ["hwmon": channel.chip.hwmon])]
    }
    return previous.map { reading in
      var reading = reading
      reading.context["stale"] = reason
      return reading
    }
  }

  static func modeName(_ raw: String) -> String {
    switch raw {
    case "0": return "full"
    case "1": return "manual"
    case "2": return "auto"
    default: return "auto(\(raw))"
    }
  }
}
