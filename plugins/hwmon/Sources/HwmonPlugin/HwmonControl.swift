import Foundation
public import Logging
import Synchronization
import SynseSDK

/// Writes of docs/hwmon.md §5: validated before any file is touched (the kernel turns a
/// non-number into 0, which stops a fan), and for duty writes the safe sequence of §1.6:
/// remember `pwmN_enable`, switch to manual, write, read back, restore on failure. The
/// remembered modes are restored by ``restoreAll()`` at shutdown.
public final class HwmonControl: Sendable {
  let files: any SysfsFiles
  let minimumPWM: Int
  let logger: Logger
  /// `pwmN_enable` path → the value it had before this plugin switched it to manual.
  private let originalModes = Mutex<[String: String]>([:])

  public init(files: any SysfsFiles, minimumPWM: Int, logger: Logger) {
    self.files = files
    self.minimumPWM = minimumPWM
    self.logger = logger
  }

  /// The write actions a channel supports, by what its files allow.
  public static func actions(for channel: HwmonChannel) -> [String] {
    switch channel.family {
    case .pwm: return (channel.has("") ? ["pwm", "duty"] : []) + (channel.has("enable") ? ["mode"] : [])
    case .fan: return channel.has("target") ? ["target"] : []
    case .intrusion: return ["clear"]
    default: return []
    }
  }

  public func write(_ channel: HwmonChannel, action: String, data: String) throws {
    let allowed = Self.actions(for: channel)
    guard allowed.contains(action) else {
      throw HandlerError("action '\(action)' is not supported by \(channel.chip.displayName) \(channel.stem) (supported: \(allowed.joined(separator: ", ")))")
    }
    switch action {
    case "pwm":
      let raw = try Self.integer(data, in: minimumPWM...255, what: "pwm (raw duty)")
      try setDuty(channel, raw: raw)
    case "duty":
      guard let percent = Double(data.trimmingCharacters(in: .whitespaces)), (0...100).contains(percent) else {
        throw HandlerError("duty must be a number from 0 to 100 (percent), got '\(data)'")
      }
      let raw = Int((percent * 255 / 100).rounded())
      guard raw >= minimumPWM else { throw HandlerError("duty \(percent)% is raw \(raw), below the configured minimumPWM \(minimumPWM)") }
      try setDuty(channel, raw: raw)
    case "mode":
      let value: Int
      switch data {
      case "full": value = 0
      case "manual": value = 1
      case "auto": value = 2
      default: value = try Self.integer(data, in: 0...255, what: "mode (full, manual, auto or the chip's pwm_enable value)")
      }
      try files.write(channel.path("enable"), String(value))
    case "target":
      let rpm = try Self.integer(data, in: 0...1_000_000, what: "target (rpm)")
      try files.write(channel.path("target"), String(rpm))
    case "clear":
      guard data.isEmpty || data == "0" else { throw HandlerError("clear takes no data (or 0), got '\(data)'") }
      try files.write(channel.path("alarm"), "0")
    default:
      throw HandlerError("action '\(action)' is not supported")
    }
  }

  private func setDuty(_ channel: HwmonChannel, raw: Int) throws {
    let enablePath = channel.path("enable")
    var switched: String?
    if channel.has("enable") {
      let mode = try files.read(enablePath)
      if mode != "1" {
        try files.write(enablePath, "1")
        switched = mode
        originalModes.withLock { if $0[enablePath] == nil { $0[enablePath] = mode } }
      }
    }
    do {
      try files.write(channel.path(""), String(raw))
      let kept = try files.read(channel.path(""))
      if kept != String(raw) {
        logger.info("chip adjusted the written duty", metadata: ["file": "\(channel.path(""))", "written": "\(raw)", "kept": "\(kept)"])
      }
    } catch {
      if let switched {
        try? files.write(enablePath, switched)
        originalModes.withLock { _ = $0.removeValue(forKey: enablePath) }
      }
      throw error
    }
  }

  /// Puts every fan this plugin switched to manual back in its original mode.
  public func restoreAll() {
    let modes = originalModes.withLock { modes -> [String: String] in
      let saved = modes
      modes.removeAll()
      return saved
    }
    for (path, mode) in modes {
      do {
        try files.write(path, mode)
        logger.info("restored fan control mode", metadata: ["file": "\(path)", "mode": "\(mode)"])
      } catch {
        logger.error("could not restore fan control mode", metadata: ["file": "\(path)", "mode": "\(mode)", "error": "\(error)"])
      }
    }
  }

  /// A decimal integer in `range`; anything else is refused before it reaches the kernel.
  static func integer(_ text: String, in range: ClosedRange<Int>, what: String) throws -> Int {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(trimmed), range.contains(value) else {
      throw HandlerError("\(what) must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
    }
    return value
  }
}
