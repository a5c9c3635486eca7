public import Foundation
public import SynseSDK
public import SynseSupport

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
///       thresholds:                       # over the kernel's limits, per value (docs/hwmon.md §7)
///         - match: "coretemp-isa-0000;Package id 0"   # whole-name regex, as include/exclude
///           temperature: {UpperCaution: {Reading: 85, DwellTime: PT10S}}
/// ```
public struct HwmonSettings: Sendable {
  public var sysfsRoot = "/sys"
  public var readTimeout: Duration = .milliseconds(500)
  public var include: [NSRegularExpression] = []
  public var exclude: [NSRegularExpression] = []
  public var minimumPWM = 0
  public var wakeSuspended = false
  /// `thresholds`: operator thresholds for the channels a pattern matches, in file order.
  public var thresholds: [ThresholdRule] = []

  /// One `thresholds` item: `match` (a whole-name regex, as in `include`) and the reading
  /// selectors of a device config `thresholds:` section beside it.
  public struct ThresholdRule: Sendable {
    public var match: NSRegularExpression
    public var thresholds: [ReadingSelector: Thresholds]
  }

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
    thresholds = try Self.thresholdRules(config["thresholds"])
  }

  /// The operator's thresholds for `channel`: of the rules that match it, the last one wins per
  /// reading selector.
  public func thresholds(for channel: HwmonChannel) -> [ReadingSelector: Thresholds] {
    let names = Self.names(channel)
    var result: [ReadingSelector: Thresholds] = [:]
    for rule in thresholds where names.contains(where: { Self.fullMatch(rule.match, $0) }) {
      result.merge(rule.thresholds) { $1 }
    }
    return result
  }

  /// - Throws: ``ConfigError`` whose key starts at `thresholds` (the SDK puts the plugin config
  ///   file and `dynamicRegistration.config[n]` before it).
  private static func thresholdRules(_ value: ConfigValue?) throws -> [ThresholdRule] {
    guard let value, value != .null else { return [] }
    guard case .list(let items) = value else {
      throw ConfigError(.invalidValue, key: "thresholds", message: "expected a list of {match: <regex>, <reading type>: <thresholds>}")
    }
    return try items.enumerated().map { index, item in
      let key = "thresholds[\(index)]"
      guard case .map(let pairs) = item, case .string(let pattern)? = item["match"] else {
        throw ConfigError(.invalidValue, key: key, message: "expected a mapping with 'match' (a regex) and reading selectors")
      }
      guard let regex = try? NSRegularExpression(pattern: pattern) else {
        throw ConfigError(.invalidValue, key: "\(key).match", message: "'\(pattern)' is not a valid regular expression")
      }
      let selectors = ConfigValue.map(pairs.filter { $0.key != "match" })
      return ThresholdRule(match: regex, thresholds: try DeviceConfig.thresholds(selectors, file: nil, key: key))
    }
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
    let names = Self.names(channel)
    let matches = { (patterns: [NSRegularExpression]) in
      patterns.contains { pattern in names.contains { Self.fullMatch(pattern, $0) } }
    }
    return (include.isEmpty || matches(include)) && !matches(exclude)
  }

  /// What patterns match: each chip name, and `<chip>;<channel>`, `<chip>;<label>` for either.
  private static func names(_ channel: HwmonChannel) -> [String] {
    var names: [String] = []
    for chip in [channel.chip.displayName, channel.chip.name] {
      names += [chip, "\(chip);\(channel.stem)"]
      if let label = channel.label { names.append("\(chip);\(label)") }
    }
    return names
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
