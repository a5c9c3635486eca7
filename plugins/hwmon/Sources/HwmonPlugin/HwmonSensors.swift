import Foundation
public import Logging
import Synchronization
public import SynseSDK
import SynseSupport

/// Turns a channel's files into readings: scaled value, alarm flags as context, faults and
/// impossible values as an invalid (null) reading that says why, and the last good reading
/// (with its own timestamp) when a file fails to read.
///
/// Reads cost per pass: the first channel asked for in a read pass starts a batch for its
/// chip and for every other known chip whose last batch has served all its channels or is
/// older than ``sharedFor`` (``DeadlineReader/readChip(_:chip:then:)``: one job per chip, no
/// task each), and each chip's channels asked for within ``sharedFor`` take their values from
/// its batch, each once (most find it done and do not wait at all); a channel asked for twice
/// starts a new batch. Chips never wait for each other beyond the reader's watchdog tick.
public final class HwmonSensors: Sendable {
  let reader: DeadlineReader
  let settings: HwmonSettings
  let logger: Logger
  private let lastGood = Mutex<[String: [Reading]]>([:])
  private let chips = Mutex<[String: ChipState]>([:])
  /// Chips whose parent has no runtime PM (`power/runtime_status` absent or `unsupported`):
  /// that does not change while the driver stays bound, so they are not asked again until the
  /// next discovery.
  private let withoutRuntimePM = Mutex<Set<String>>([])
  /// How long a batch serves the chip's channels that have not taken their values yet: one
  /// read pass (passes take milliseconds; read intervals are 100 ms and up).
  static let sharedFor: Duration = .milliseconds(100)

  /// A chip's channels with their file plans, and its latest batch.
  private struct ChipState {
    var plans: [String: ChannelPlan] = [:]
    /// Every file of every channel, in reading order (rebuilt when the channels change).
    var paths: [String] = []
    /// Bumped when the channels change: a batch of an older generation lacks some of them.
    var generation = 0
    var batch: ChipRead?
    /// Channels that took their values from `batch`, by plan index.
    var consumed: [Bool] = []
    var started = ContinuousClock.now

    mutating func set(_ channels: [HwmonChannel]) {
      let sorted = Dictionary(channels.map { ($0.key, $0) }, uniquingKeysWith: { $1 }).sorted { $0.key < $1.key }
      var offset = 0
      plans = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { index, entry in
        let plan = ChannelPlan(entry.value, index: index, offset: offset)
        offset += plan.paths.count
        return (entry.key, plan)
      })
      paths = sorted.flatMap { plans[$0.key]!.paths }
      generation += 1
      consumed = Array(repeating: true, count: plans.count)
    }

    /// The batch this channel's request takes its values from, and whether it must run it.
    mutating func join(_ channel: HwmonChannel, at now: ContinuousClock.Instant) -> (ChipRead, ChannelPlan, Bool) {
      var plan = plans[channel.key]
      if plan == nil {
        set(plans.values.map(\.channel) + [channel])
        plan = plans[channel.key]
      }
      let index = plan!.index
      if let batch, batch.generation == generation, !consumed[index], now - started < HwmonSensors.sharedFor {
        consumed[index] = true
        return (batch, plan!, false)
      }
      let fresh = renew(channel.chip, at: now)
      consumed[index] = true
      return (fresh, plan!, true)
    }

    /// A new batch, unless the current one still serves channels that have not taken their
    /// values (another channel of this chip started it in this pass).
    mutating func refresh(at now: ContinuousClock.Instant) -> ChipRead? {
      guard let chip = plans.first?.value.channel.chip else { return nil }
      if let batch, batch.generation == generation, now - started < HwmonSensors.sharedFor, consumed.contains(false) {
        return nil
      }
      return renew(chip, at: now)
    }

    private mutating func renew(_ chip: HwmonChip, at now: ContinuousClock.Instant) -> ChipRead {
      let fresh = ChipRead(chip: chip, paths: paths, generation: generation)
      batch = fresh
      for position in consumed.indices { consumed[position] = false }
      started = now
      return fresh
    }
  }

  public init(reader: DeadlineReader, settings: HwmonSettings, logger: Logger) {
    self.reader = reader
    self.settings = settings
    self.logger = logger
  }

  /// The channels that are devices (called at each discovery), so a chip's batch reads all of
  /// them and nothing that was removed; a channel read that is not listed joins its chip.
  public func expect(_ channels: [HwmonChannel]) {
    let grouped = Dictionary(grouping: channels, by: \.chip.key)
    chips.withLock { table in
      var fresh: [String: ChipState] = [:]
      for (key, members) in grouped {
        var state = table[key] ?? ChipState()
        state.set(members)
        fresh[key] = state
      }
      table = fresh
    }
    withoutRuntimePM.withLock { $0.removeAll() }
    reader.files.pollOnly(Set(channels.flatMap { ChannelPlan($0, index: 0).paths }))
  }

  public func read(_ channel: HwmonChannel) async -> [Reading] {
    let now = ContinuousClock.now
    let (batch, plan, runs) = chips.withLock { table -> (ChipRead, ChannelPlan, [ChipRead]) in
      let (batch, plan, leader) = table[channel.chip.key, default: ChipState()].join(channel, at: now)
      guard leader else { return (batch, plan, []) }
      var runs = [batch]
      for index in table.values.indices where table.values[index].batch !== batch {
        if let other = table.values[index].refresh(at: now) { runs.append(other) }
      }
      return (batch, plan, runs)
    }
    for run in runs { start(run) }
    switch await batch.outcome() {
    case .suspended:
      return stale(channel, because: "device is runtime-suspended; not woken (wakeSuspended: false)")
    case .files(let results):
      do throws(SysfsError) {
        var readings = try measure(plan) { position throws(SysfsError) in
          let index = plan.offset + position
          guard results.indices.contains(index) else { throw SysfsError(path: plan.paths[position], errno: ENOENT) }
          return try results[index].get()
        }
        if !readings.isEmpty, readings.allSatisfy({ $0.value != .none }) {
          lastGood.withLock { $0[channel.key] = readings }
        }
        for index in readings.indices { readings[index].context["hwmon"] = channel.chip.hwmon }
        return readings
      } catch {
        return stale(channel, because: error.description)
      }
    }
  }

  /// Starts reading the files of every channel of the batch, unless the device sleeps.
  private func start(_ batch: ChipRead) {
    let chip = batch.chip
    if !settings.wakeSuspended, let parent = chip.parent, !withoutRuntimePM.withLock({ $0.contains(chip.key) }) {
      switch Result(catching: { () throws(SysfsError) in try reader.files.read("\(settings.sysfsRoot)/\(parent)/power/runtime_status") }) {
      case .success("suspended"):
        batch.complete(.suspended)
        return
      case .success("unsupported"):
        withoutRuntimePM.withLock { _ = $0.insert(chip.key) }
      case .failure(let error) where error.errno == ENOENT:
        withoutRuntimePM.withLock { _ = $0.insert(chip.key) }
      default:
        break
      }
    }
    reader.readChip(batch.paths, chip: chip.displayName) { batch.complete(.files($0)) }
  }

  /// `file` gives the text of the plan's file at a position in `plan.paths`.
  private func measure(_ plan: ChannelPlan, _ file: (Int) throws(SysfsError) -> String) throws(SysfsError) -> [Reading] {
    let channel = plan.channel
    var readings: [Reading] = []
    var context: [String: String] = [:]
    for (position, flag) in plan.flags.enumerated() {
      if let text = try? file(position) { context[flag.item] = text }
    }
    // The chip's own comparator raised it: the server holds the reading at that level at once.
    if let level = HwmonLimits.alarmLevel(context) { context[ReadingAlarm.key] = ReadingAlarm.text(level) }
    if plan.enable != nil {
      let mode = try file(plan.flags.count)
      readings.append(Output.state.reading(.string(Self.modeName(mode)), context: ["pwm_enable": mode]))
    }
    guard let valuePath = plan.value else {
      return readings  // limits only (i915 power1), or a pwm without a duty file
    }
    let text = try file(plan.paths.count - 1)
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

/// One batch read of a chip, awaited by every channel that takes its values from it.
private final class ChipRead: Sendable {
  enum Outcome: Sendable {
    /// By position in `paths`.
    case files([Result<String, SysfsError>])
    case suspended
  }
  let chip: HwmonChip
  let paths: [String]
  let generation: Int
  private let state = Mutex<(outcome: Outcome?, waiting: [CheckedContinuation<Outcome, Never>])>((nil, []))

  init(chip: HwmonChip, paths: [String], generation: Int) {
    self.chip = chip
    self.paths = paths
    self.generation = generation
  }

  func complete(_ outcome: Outcome) {
    let waiting = state.withLock { state -> [CheckedContinuation<Outcome, Never>] in
      state.outcome = outcome
      defer { state.waiting = [] }
      return state.waiting
    }
    for continuation in waiting { continuation.resume(returning: outcome) }
  }

  func outcome() async -> Outcome {
    if let done = state.withLock({ $0.outcome }) { return done }
    return await withCheckedContinuation { continuation in
      let done = state.withLock { state -> Outcome? in
        if let outcome = state.outcome { return outcome }
        state.waiting.append(continuation)
        return nil
      }
      if let done { continuation.resume(returning: done) }
    }
  }
}

/// The files a reading of one channel needs, worked out once: alarm and fault flags, the pwm
/// mode, the value, in that reading order.
final class ChannelPlan: Sendable {
  let channel: HwmonChannel
  /// Position among the chip's channels.
  let index: Int
  /// Where its files start among the files of the chip's batch.
  let offset: Int
  let flags: [(item: String, path: String)]
  let enable: String?
  let value: String?
  let paths: [String]

  init(_ channel: HwmonChannel, index: Int, offset: Int = 0) {
    self.channel = channel
    self.index = index
    self.offset = offset
    flags = channel.items.sorted()
      .filter { ($0 == "alarm" && channel.family != .intrusion) || $0.hasSuffix("_alarm") || $0 == "fault" }
      .map { ($0, channel.path($0)) }
    enable = channel.family == .pwm && channel.has("enable") ? channel.path("enable") : nil
    value = channel.valuePath
    paths = flags.map(\.path) + [enable, value].compactMap { $0 }
  }
}
