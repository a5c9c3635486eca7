public import Foundation
public import SynseSDK

/// The hwmon plugin's own settings: one `dynamicRegistration.config` item of the plugin
/// config. `HWMON_SYSFS_ROOT` overrides `sysfsRoot`.
///
/// ```yaml
/// dynamicRegistration:
///   config:
///     - sysfsRoot: /sys
///       readTimeout: 500ms
///       include: []                       # regexes; empty = everything
///       exclude: ["amdgpu-.*", "nvme-pci-3e00;temp.*"]
///       minimumPWM: 0                     # raw 0-255 floor for pwm/duty writes
///       wakeSuspended: false              # read runtime-suspended devices (wakes GPUs)
/// ```
public struct HwmonSettings: Sendable {
  public var sysfsRoot = "/sys"
  public var readTimeout: Duration = .milliseconds(500)
  public var include: [NSRegularExpression] = []
  public var exclude: [NSRegularExpression] = []
  public var minimumPWM = 0
  public var wakeSuspended = false

  public init() {}

  public init(_ config: ConfigValue, environment: [String: String]) throws {
    if let root = config["sysfsRoot"], case .string(let text) = root { sysfsRoot = text }
    if let root = environment["HWMON_SYSFS_ROOT"], !root.isEmpty { sysfsRoot = root }
    sysfsRoot = Self.canonicalRoot(sysfsRoot)
    if let timeout = config["readTimeout"] {
      guard case .string(let text) = timeout, let duration = GoDuration.parse(text), duration > .zero else {
        throw HandlerError("hwmon: readTimeout must be a positive duration such as 500ms")
      }
      readTimeout = duration
    }
    include = try Self.patterns(config["include"], key: "include")
    exclude = try Self.patterns(config["exclude"], key: "exclude")
    if let floor = config["minimumPWM"] {
      guard case .int(let value) = floor, (0...255).contains(value) else { throw HandlerError("hwmon: minimumPWM must be an integer 0-255") }
      minimumPWM = Int(value)
    }
    if case .bool(let wake)? = config["wakeSuspended"] { wakeSuspended = wake }
  }

  /// The root as an absolute path with symlinks resolved (`realpath`), so a relative
  /// `HWMON_SYSFS_ROOT` or a link to the tree keys devices exactly as the real path does; a
  /// root that does not exist is only made absolute (it finds no chips and says so).
  public static func canonicalRoot(_ root: String) -> String {
    if let resolved = SysfsLinks.resolved(root) { return resolved }
    let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
    return (absolute as NSString).standardizingPath
  }

  /// Whether a channel passes the filters. Patterns match whole names: the chip's
  /// lm-sensors name or `name`, or `<chip>;<channel>` / `<chip>;<label>` for either chip name.
  public func admits(_ channel: HwmonChannel) -> Bool {
    var names: [String] = []
    for chip in [channel.chip.displayName, channel.chip.name] {
      names += [chip, "\(chip);\(channel.stem)"]
      if let label = channel.label { names.append("\(chip);\(label)") }
    }
    let matches = { (patterns: [NSRegularExpression]) in
      patterns.contains { pattern in names.contains { Self.fullMatch(pattern, $0) } }
    }
    return (include.isEmpty || matches(include)) && !matches(exclude)
  }

  private static func fullMatch(_ pattern: NSRegularExpression, _ text: String) -> Bool {
    let range = NSRange(text.startIndex..., in: text)
    return pattern.firstMatch(in: text, options: [.anchored], range: range).map { $0.range == range } ?? false
  }

  private static func patterns(_ value: ConfigValue?, key: String) throws -> [NSRegularExpression] {
    guard let value else { return [] }
    guard case .list(let items) = value else { throw HandlerError("hwmon: \(key) must be a list of regular expressions") }
    return try items.map { item in
      guard case .string(let text) = item else { throw HandlerError("hwmon: \(key) must be a list of regular expressions") }
      do {
        return try NSRegularExpression(pattern: text)
      } catch {
        throw HandlerError("hwmon: \(key) pattern '\(text)' is not a valid regular expression")
      }
    }
  }
}
