import Foundation
import Synchronization
import SynseSDK
public import SynseSupport

/// The kernel's limits of a channel as Synse thresholds (docs/hwmon.md §7, docs/health.md), with
/// an operator's thresholds from the plugin config over them.
///
/// | file | threshold |
/// |---|---|
/// | `_lcrit` | LowerCritical |
/// | `_min` | LowerCaution |
/// | `_max` | UpperCaution |
/// | `_crit` | UpperCritical |
/// | `_emergency` | UpperFatal |
///
/// Each limit is scaled as the reading is (millidegree → °C, millivolt → V, microwatt → W, …),
/// with `Activation` Either and `DwellTime` PT0S: the chip's own limit, so a crossing counts at
/// once. Limits are read once per discovery (docs/hwmon.md §1.7: reading them can cost).
public enum HwmonLimits {
  /// Limit items and their threshold kinds, lowest first.
  static let items: [(item: String, kind: ThresholdKind)] = [
    ("lcrit", .lowerCritical), ("min", .lowerCaution), ("max", .upperCaution), ("crit", .upperCritical), ("emergency", .upperFatal),
  ]

  /// A limit left out, for a warning: the sysfs file and why.
  public struct Dropped: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "hwmon limit \(path) ignored: \(reason)" }
  }

  /// The selector of a channel's value reading: its output type (`temperature`, `voltage`,
  /// `frequency` for fan RPM, `current`, `power`, `humidity`).
  public static func selector(_ channel: HwmonChannel) -> ReadingSelector {
    ReadingSelector(readingType: channel.family.output.type)
  }

  /// The kernel's limits of `channel`. Left out silently: "no limit" sentinels
  /// (``HwmonFamily/isSentinel(_:item:chip:)``) and a lower limit at the bottom of the family's
  /// plausible range (a fan `_min` of 0), an upper one at its top. Left out and reported: a file that cannot be read
  /// or is no integer, a value outside the family's plausible range, and a limit out of order
  /// with the ones below it (e.g. `_max` below `_min`, or a `_crit` of 0 under a `_max` of 80 on a
  /// chip that writes 0 for "unset"): of two limits out of order, the higher kind is dropped.
  /// Channels without a numeric value reading (pwm, intrusion, energy, freq, limits-only
  /// power meters) get none.
  public static func kernel(_ channel: HwmonChannel, files: any SysfsFiles) -> (thresholds: Thresholds, dropped: [Dropped]) {
    var thresholds = Thresholds()
    var dropped: [Dropped] = []
    guard [.temp, .in, .fan, .curr, .power, .humidity].contains(channel.family), channel.valuePath != nil else { return (thresholds, []) }
    for (item, kind) in items where channel.has(item) {
      let path = channel.path(item)
      let text: String
      do {
        text = try files.read(path)
      } catch {
        dropped.append(Dropped(path: path, reason: "cannot be read (\(error))"))
        continue
      }
      guard let raw = Int64(text) else {
        dropped.append(Dropped(path: path, reason: "'\(text)' is not an integer"))
        continue
      }
      if channel.family.isSentinel(raw, item: item, chip: channel.chip.name) { continue }
      let value = Double(raw) / channel.family.divisor
      // A lower limit at the bottom of what the sensor can report (a fan `_min` of 0 RPM) or an
      // upper one at the top can only be met, never passed; as a threshold (met counts) it
      // would flag every idle fan.
      let range = channel.family.plausible
      if kind.bound == .lower ? value == range.lowerBound : value == range.upperBound { continue }
      guard range.contains(value) else {
        dropped.append(Dropped(path: path, reason: "\(value) is impossible for \(channel.family.deviceType) (raw \(raw))"))
        continue
      }
      thresholds[kind] = Threshold(reading: value)
    }
    dropped += dropOutOfOrder(&thresholds, channel: channel, operatorSet: [])
    return (thresholds, dropped)
  }

  /// The channel's thresholds: `overrides` (the operator's, by selector) over the kernel's per
  /// value. For the value reading's selector, each threshold the operator sets replaces the
  /// kernel's of that kind, the others stay, and the hysteresis is the operator's; a kernel
  /// limit then out of order with an operator's is dropped (the operator wins). Other selectors
  /// are the operator's as written.
  public static func merged(
    kernel: Thresholds, overrides: [ReadingSelector: Thresholds], channel: HwmonChannel
  ) -> (thresholds: [ReadingSelector: Thresholds], dropped: [Dropped]) {
    let selector = selector(channel)
    var result = overrides
    var combined = kernel
    var operatorSet: Set<ThresholdKind> = []
    if let mine = overrides[selector] {
      for kind in ThresholdKind.allCases where mine[kind] != nil {
        combined[kind] = mine[kind]
        operatorSet.insert(kind)
      }
      combined.hysteresisReading = mine.hysteresisReading
      combined.hysteresisDuration = mine.hysteresisDuration
    }
    let dropped = dropOutOfOrder(&combined, channel: channel, operatorSet: operatorSet)
    if !combined.isEmpty || overrides[selector] != nil { result[selector] = combined }
    return (result, dropped)
  }

  /// Drops thresholds until the order holds: of a pair out of order, the kernel's one if only
  /// one is, else the higher kind.
  private static func dropOutOfOrder(_ thresholds: inout Thresholds, channel: HwmonChannel, operatorSet: Set<ThresholdKind>) -> [Dropped] {
    var dropped: [Dropped] = []
    while true {
      guard case .failure(.inverted(let key, let reading, let otherKey, let otherReading)) = Result(catching: { () throws(ThresholdsError) in
        try thresholds.validate()
      }),
        let kind = ThresholdKind.allCases.first(where: { $0.redfishKey == key }),
        let other = ThresholdKind.allCases.first(where: { $0.redfishKey == otherKey })
      else { return dropped }
      let victim = operatorSet.contains(kind) && !operatorSet.contains(other) ? other : kind
      let survivor = victim == kind ? other : kind
      let survivorSource = operatorSet.contains(survivor) ? "the operator's \(survivor.redfishKey)" : "\(channel.stem)_\(file(for: survivor)) (\(survivor.redfishKey))"
      let (victimValue, survivorValue) = victim == kind ? (reading, otherReading) : (otherReading, reading)
      dropped.append(Dropped(
        path: channel.path(file(for: victim)),
        reason: "\(victimValue) (\(victim.redfishKey)) is \(victim == kind ? "below" : "above") \(survivorSource) \(survivorValue); "
          + "expected LowerCritical ≤ LowerCaution < UpperCaution ≤ UpperCritical ≤ UpperFatal"))
      thresholds[victim] = nil
    }
  }

  /// The limit file item of a kernel threshold kind (`max` for UpperCaution).
  static func file(for kind: ThresholdKind) -> String {
    items.first { $0.kind == kind }?.item ?? kind.redfishKey
  }

  /// The alarm flag items the chip raises itself, and the level each means (docs/hwmon.md §1.5:
  /// a chip has either the per-channel `alarm` or the per-limit ones).
  static let alarmLevels: [String: ThresholdKind.Level] = [
    "alarm": .caution, "min_alarm": .caution, "max_alarm": .caution,
    "lcrit_alarm": .critical, "crit_alarm": .critical, "emergency_alarm": .fatal,
  ]

  /// The most severe level among the alarm flags set to 1 in `flags` (item → file text).
  static func alarmLevel(_ flags: [String: String]) -> ThresholdKind.Level? {
    flags.compactMap { item, text in text == "1" ? alarmLevels[item] : nil }.max()
  }
}

/// Reads each file at most once (limits at one discovery feed both the reading context and the
/// thresholds; reading NVMe limits issues admin commands, docs/hwmon.md §1.7).
final class OnceFiles: SysfsFiles {
  private let files: any SysfsFiles
  private let texts = Mutex<[String: Result<String, SysfsError>]>([:])

  init(_ files: any SysfsFiles) { self.files = files }

  func read(_ path: String) throws(SysfsError) -> String {
    if let known = texts.withLock({ $0[path] }) { return try known.get() }
    let result = Result { () throws(SysfsError) in try files.read(path) }
    texts.withLock { $0[path] = result }
    return try result.get()
  }

  func write(_ path: String, _ value: String) throws(SysfsError) { try files.write(path, value) }
}
