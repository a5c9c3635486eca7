public import Logging
import Synchronization
public import SynseSupport

/// Evaluates every sensor reading the server's live plugin streams deliver against the
/// thresholds in force (plugin metadata merged with server rules, ``ThresholdResolver``), keeps
/// each sensor's ``SensorHealth``, and publishes `alarm.raised`/`alarm.changed`/`alarm.cleared`
/// to the ``EventJournal`` (docs/health.md "Evaluation").
///
/// A reading whose context carries `synse.alarm` (``ReadingAlarm``: the hardware's own alarm flag)
/// is at least that level while it does, thresholds or not.
///
/// Thresholds are resolved per device once per device-cache build, not per reading. A sensor is
/// `unknown` when no reading came for `unknownAfter` of its read intervals (the gap between its
/// last two readings, at least a second), or at once when its plugin's stream ends
/// (``markUnknown(plugin:reason:)``).
public final class HealthMonitor: Sendable {
  struct Sensor {
    var health: SensorHealth<ContinuousClock.Instant>
    let plugin: String
    let type: String
    /// The latest reading's context.
    var context: [(String, String)]
    let tags: [String]
    var unit: String?
    var value: Double?
    /// The plugin's timestamp of the latest reading evaluated: with ``value``, tells whether a
    /// reading seen on another path (``preview(_:)``) is that one.
    var timestamp = ""
    var lastAt: ContinuousClock.Instant?
    var interval: Duration?
    var announced: HealthState = .ok
    var kind: ThresholdKind?
    var since = ""
    var message = ""
    var generation: Int

    // The two below are `mutating` only so that a call through `Dictionary.Values`' subscript
    // borrows the sensor in place: its getter copies the whole sensor, trackers and all.

    /// Whether the sensor was made under device-cache build `generation`.
    mutating func isCurrent(_ generation: Int) -> Bool { self.generation == generation }

    /// The transition to `unknown` when no reading came for `unknownAfter` intervals, with the wait.
    mutating func stale(now: ContinuousClock.Instant, unknownAfter: Int) -> (HealthTransition<ContinuousClock.Instant>, Duration)? {
      guard let interval else { return nil }
      let after = interval * unknownAfter
      return health.stale(now: now, after: after).map { ($0, after) }
    }

    /// Evaluates `value` of `reading`, taken `now`; a transition goes to `pending`.
    mutating func update(
      _ value: Double, _ reading: ReadingRecord, at now: ContinuousClock.Instant, alarm: ThresholdKind.Level?, key: SensorKey,
      monitor: HealthMonitor, pending: inout [Published]
    ) -> HealthState {
      if let last = lastAt { interval = max(.seconds(1), last.duration(to: now)) }
      lastAt = now
      self.value = value
      timestamp = reading.timestamp
      context = reading.context
      unit = reading.unit?.symbol
      if let change = health.observe(value, at: now, alarm: alarm) { pending.append(monitor.record(change, in: &self, key: key, reason: nil)) }
      return announced
    }
  }

  struct State {
    var sensors: [SensorKey: Sensor] = [:]
    /// Readings no threshold applies to, until the next device-cache build.
    var unwatched: Set<SensorKey> = []
    var resolved: [String: DeviceThresholds] = [:]
    var generation = -1
    /// The device-cache build whose removed devices ``sweep()`` last dropped.
    var prunedGeneration = -1
  }

  /// Whether readings are evaluated at all (`health.enabled`).
  public let enabled: Bool
  /// Read intervals without a reading before a sensor is `unknown` (`health.unknown_after`).
  public let unknownAfter: Int
  let resolver: ThresholdResolver
  let devices: DeviceCache
  let events: EventJournal
  let metrics: ServerMetrics?
  let logger: Logger
  let state = Mutex(State())
  let clock = ContinuousClock()

  public init(
    enabled: Bool = true, unknownAfter: Int = 3, resolver: ThresholdResolver, devices: DeviceCache, events: EventJournal,
    metrics: ServerMetrics? = nil, logger: Logger
  ) {
    self.enabled = enabled
    self.unknownAfter = max(1, unknownAfter)
    self.resolver = resolver
    self.devices = devices
    self.events = events
    self.metrics = metrics
    self.logger = logger
  }

  /// Evaluates one reading of `plugin` (arrived now).
  ///
  /// - Returns: the sensor's announced health after it, or nil when no threshold applies (or
  ///   evaluation is off, or the value is not a number).
  public func observe(_ reading: ReadingRecord, plugin: String) -> HealthState? {
    guard enabled else { return nil }
    let key = SensorKey(reading)
    let now = clock.now
    let value = reading.value.number
    let alarm = Self.alarm(of: reading)
    var pending: [Published] = []
    let health = state.withLock { state -> HealthState? in
      refreshGeneration(&state)
      // One hash of the key per reading (its device ID is long) on the usual path.
      var index = state.sensors.index(forKey: key)
      if index.map({ !state.sensors.values[$0].isCurrent(state.generation) }) ?? true {
        guard let sensor = sensor(key, reading, plugin: plugin, alarm: alarm, in: &state, pending: &pending) else { return nil }
        state.sensors[key] = sensor
        index = state.sensors.index(forKey: key)
      }
      guard let index else { return nil }
      guard let value else { return state.sensors.values[index].announced }
      // In place: a copy taken out of the dictionary would copy its trackers on every reading.
      return state.sensors.values[index].update(value, reading, at: now, alarm: alarm, key: key, monitor: self, pending: &pending)
    }
    for published in pending { publish(published) }
    return health
  }

  /// The announced health of a reading's sensor without evaluating it: `unknown` for a sensor
  /// with thresholds that has not been evaluated yet, nil when no threshold applies.
  public func health(of reading: ReadingRecord) -> HealthState? {
    guard enabled else { return nil }
    let key = SensorKey(reading)
    return state.withLock { state -> HealthState? in
      refreshGeneration(&state)
      if let sensor = state.sensors[key] { return sensor.announced }
      return unevaluated(key, reading, in: &state)
    }
  }

  /// The health a current reading seen on another path than the live stream (a direct `Read`,
  /// a filtered stream) has: its sensor's announced state when the live stream has evaluated
  /// this reading already (same timestamp and value), otherwise what evaluating it now would
  /// announce. Nothing is evaluated or published: the live stream does that when the reading
  /// reaches it, so a 96 °C reading over an UpperCritical of 95 never shows the `ok` of the
  /// reading before it. For a sensor not evaluated yet or `unknown`, or a value that is not a
  /// number, as ``health(of:)``.
  public func preview(_ reading: ReadingRecord) -> HealthState? {
    guard enabled else { return nil }
    let key = SensorKey(reading)
    let now = clock.now
    let alarm = Self.alarm(of: reading)
    return state.withLock { state -> HealthState? in
      refreshGeneration(&state)
      guard let sensor = state.sensors[key] else { return unevaluated(key, reading, in: &state) }
      // An unknown sensor stays unknown: its stream is not delivering, as /v3/alarms says.
      guard let value = reading.value.number, sensor.announced != .unknown, sensor.timestamp != reading.timestamp || sensor.value != value
      else { return sensor.announced }
      var health = sensor.health
      return health.observe(value, at: now, alarm: alarm)?.state ?? sensor.announced
    }
  }

  /// The hardware's own alarm level a reading carries (context `synse.alarm`), if any.
  private static func alarm(of reading: ReadingRecord) -> ThresholdKind.Level? {
    reading.context.first { $0.0 == ReadingAlarm.key }.flatMap { ReadingAlarm.level(in: [ReadingAlarm.key: $0.1]) }
  }

  /// The health of a sensor not evaluated yet: `unknown` when thresholds apply, nil otherwise.
  private func unevaluated(_ key: SensorKey, _ reading: ReadingRecord, in state: inout State) -> HealthState? {
    if state.unwatched.contains(key) { return nil }
    return thresholds(for: key, reading.context, in: &state) == nil ? nil : .unknown
  }

  /// Marks every sensor of `plugin` unknown now (its stream ended or it went inactive).
  public func markUnknown(plugin: String, reason: String) {
    let now = clock.now
    let published = state.withLock { state -> [Published] in
      var published: [Published] = []
      for (key, var sensor) in state.sensors where sensor.plugin == plugin {
        if let change = sensor.health.markUnknown(at: now) { published.append(record(change, in: &sensor, key: key, reason: reason)) }
        state.sensors[key] = sensor
      }
      return published
    }
    for transition in published { publish(transition) }
  }

  /// Marks sensors unknown that have had no reading for `unknownAfter` of their intervals, and
  /// drops those whose device a new device-cache build no longer has.
  public func sweep() {
    let now = clock.now
    let published = state.withLock { state -> [Published] in
      var published: [Published] = []
      pruneRemovedDevices(&state, into: &published)
      // In place, by index: `for (key, var sensor)` copied every sensor (its trackers, its
      // context) once a second, 12 % of a server's CPU at 10,000 sensors.
      var index = state.sensors.values.startIndex
      while index != state.sensors.values.endIndex {
        defer { index = state.sensors.values.index(after: index) }
        guard let (change, after) = state.sensors.values[index].stale(now: now, unknownAfter: unknownAfter) else { continue }
        let reason = "no reading for \(unknownAfter) read intervals (\(((Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18) * 10).rounded() / 10) s)"
        let key = state.sensors.keys[index]
        published.append(record(change, in: &state.sensors.values[index], key: key, reason: reason))
      }
      return published
    }
    for transition in published { publish(transition) }
  }

  /// Once per device-cache build: a sensor whose plugin is in the cache but whose device is not
  /// was removed from the plugin's config; its alarm (often `unknown`, from the restart) would
  /// otherwise stay forever. A plugin absent altogether is down: its sensors stay `unknown`.
  private func pruneRemovedDevices(_ state: inout State, into published: inout [Published]) {
    let generation = devices.buildCount
    guard generation != state.prunedGeneration else { return }
    state.prunedGeneration = generation
    guard !state.sensors.isEmpty else { return }
    let present = Set(devices.devices.map(\.plugin))
    let removed = state.sensors.filter { key, sensor in present.contains(sensor.plugin) && devices.device(key.device) == nil }
    for (key, sensor) in removed {
      state.sensors.removeValue(forKey: key)
      state.unwatched.remove(key)
      if sensor.announced != .ok {
        published.append(cleared(sensor, key: key, message: "the device is no longer in its plugin's configuration; the sensor is no longer evaluated"))
      }
    }
  }

  /// Every sensor whose announced health is not `ok`, most severe first, then by device.
  public var alarms: [Alarm] {
    state.withLock { state in
      state.sensors.compactMap { key, sensor -> Alarm? in
        guard sensor.announced != .ok else { return nil }
        return Alarm(
          device: key.device, plugin: sensor.plugin, type: key.type, context: sensor.context, severity: sensor.announced,
          since: sensor.since, value: sensor.value, unit: sensor.unit, threshold: sensor.kind,
          thresholdReading: sensor.kind.flatMap { sensor.health.thresholds[$0]?.reading }, message: sensor.message, tags: sensor.tags)
      }
    }.sorted { a, b in
      let (x, y) = (a.severity.metricValue, b.severity.metricValue)
      if x != y { return x > y }
      return (a.device, a.type, a.since) < (b.device, b.type, b.since)
    }
  }
}

/// One evaluated sensor reading, for the `synse_device_health` and `synse_device_threshold`
/// metrics.
public struct SensorStatus: Sendable {
  public var device: String
  public var plugin: String
  public var type: String
  public var context: [(String, String)]
  public var health: HealthState
  public var thresholds: Thresholds
}

extension HealthMonitor {
  /// Every sensor with thresholds seen so far, by device, type and place among the device's
  /// readings of that type (the metrics' `index` labels follow this order, so it must not vary).
  public var sensors: [SensorStatus] {
    state.withLock { state in
      state.sensors.sorted { ($0.key.device, $0.key.type, $0.key.ordinal) < ($1.key.device, $1.key.type, $1.key.ordinal) }
        .map { key, sensor in
          SensorStatus(
            device: key.device, plugin: sensor.plugin, type: key.type, context: sensor.context, health: sensor.announced,
            thresholds: sensor.health.thresholds)
        }
    }
  }
}
