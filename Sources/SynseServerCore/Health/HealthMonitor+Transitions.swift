import Logging
import SynseSupport

extension HealthMonitor {
  /// A transition ready to publish, built under the lock and published after it.
  struct Published {
    let transition: HealthTransition<ContinuousClock.Instant>
    let key: SensorKey
    let sensor: Sensor
  }

  /// Starts counting a new device-cache build: thresholds are resolved again, lazily.
  func refreshGeneration(_ state: inout State) {
    let generation = devices.buildCount
    guard generation != state.generation else { return }
    state.generation = generation
    state.resolved = [:]
    state.unwatched = []
  }

  func thresholds(for key: SensorKey, _ context: [(String, String)], in state: inout State) -> Thresholds? {
    if let resolved = state.resolved[key.device] { return resolved.thresholds(type: key.type, context: context) }
    guard let device = devices.device(key.device) else { return nil }
    let resolved = resolver.resolve(device)
    if let problem = resolved.problem {
      logger.warning("device thresholds ignored", metadata: ["device": "\(key.device)", "problem": "\(problem)"])
    }
    state.resolved[key.device] = resolved
    return resolved.thresholds(type: key.type, context: context)
  }

  /// The sensor of `key`, created when thresholds apply or the hardware flags an alarm on the
  /// reading (`alarm`), re-created when a device-cache build changed its thresholds. New limits
  /// announce nothing by themselves: the sensor keeps its announced state and the next reading
  /// decides (``SensorHealth/carryOver(from:)``); clearing at once announced a
  /// false clear for a sensor still hot under the new limits. Thresholds removed clear it.
  func sensor(
    _ key: SensorKey, _ reading: ReadingRecord, plugin: String, alarm: ThresholdKind.Level?, in state: inout State,
    pending: inout [Published]
  ) -> Sensor? {
    if let sensor = state.sensors[key], sensor.generation == state.generation { return sensor }
    if alarm == nil, state.unwatched.contains(key) { return nil }
    let old = state.sensors.removeValue(forKey: key)
    // A sensor kept for its hardware alarms keeps being evaluated without thresholds.
    let fallback = alarm != nil || old?.health.thresholds.isEmpty == true ? Thresholds() : nil
    guard let thresholds = thresholds(for: key, reading.context, in: &state) ?? fallback,
      let fresh = try? SensorHealth(thresholds: thresholds, start: clock.now)
    else {
      state.unwatched.insert(key)
      if let old, old.announced != .ok { pending.append(cleared(old, key: key, message: "thresholds removed; the sensor is no longer evaluated")) }
      return nil
    }
    state.unwatched.remove(key)
    if var old, old.health.thresholds == thresholds {
      old.generation = state.generation
      return old
    }
    let device = devices.device(key.device)
    var sensor = Sensor(
      health: fresh, plugin: plugin, type: key.type, context: reading.context, tags: device?.tags ?? [],
      unit: reading.unit?.symbol, generation: state.generation)
    if let old {
      sensor.health.carryOver(from: old.health)
      (sensor.announced, sensor.kind, sensor.since, sensor.message) = (old.announced, old.kind, old.since, old.message)
      (sensor.value, sensor.lastAt, sensor.interval) = (old.value, old.lastAt, old.interval)
    }
    return sensor
  }

  /// The clear of a sensor that is no longer evaluated (its thresholds or its device went).
  func cleared(_ old: Sensor, key: SensorKey, message: String) -> Published {
    let transition = HealthTransition(
      event: .cleared, state: .ok, previous: old.announced, threshold: old.kind,
      thresholdReading: old.kind.flatMap { old.health.thresholds[$0]?.reading }, value: old.value, since: clock.now)
    var sensor = old
    sensor.announced = .ok
    sensor.message = message
    return Published(transition: transition, key: key, sensor: sensor)
  }

  /// Updates the sensor's announced alarm fields for `change`.
  func record(
    _ change: HealthTransition<ContinuousClock.Instant>, in sensor: inout Sensor, key: SensorKey, reason: String?
  ) -> Published {
    sensor.announced = change.state
    sensor.kind = change.state == .ok || change.state == .unknown ? nil : change.threshold
    sensor.since = Timestamp.now()
    sensor.message = reason ?? Self.message(change, type: key.type, unit: sensor.unit, thresholds: sensor.health.thresholds)
    return Published(transition: change, key: key, sensor: sensor)
  }

  static func message(_ change: HealthTransition<ContinuousClock.Instant>, type: String, unit: String?, thresholds: Thresholds) -> String {
    let unitText = unit.map { " \($0)" } ?? ""
    let value = change.value.map { "\($0)\(unitText)" } ?? "no value"
    guard let kind = change.threshold, let threshold = thresholds[kind] else {
      // No threshold behind it: the hardware's own alarm (reading context synse.alarm).
      if change.state == .ok {
        return change.previous == .unknown ? "\(type) \(value): reporting again" : "\(type) \(value): the hardware alarm ended"
      }
      return "\(type) \(value): the hardware reports a \(change.state.rawValue) alarm (\(ReadingAlarm.key))"
    }
    let above = threshold.activation.isAbove(for: kind)
    if change.state == .ok {
      let band = thresholds.hysteresisReading > 0 ? " by more than the hysteresis \(thresholds.hysteresisReading)" : ""
      return "\(type) \(value) is back \(above ? "below" : "above") \(kind.redfishKey) \(threshold.reading)\(unitText)\(band)"
    }
    return "\(type) \(value) is at or \(above ? "above" : "below") \(kind.redfishKey) \(threshold.reading)\(unitText)"
  }

  func publish(_ published: Published) {
    let change = published.transition
    let sensor = published.sensor
    let kind: ServerEvent.Kind = switch change.event {
    case .raised: .alarmRaised
    case .changed: .alarmChanged
    case .cleared: .alarmCleared
    }
    metrics?.alarmTransition(kind.rawValue, severity: change.state.rawValue)
    events.publish(
      kind, severity: change.state, device: published.key.device, plugin: sensor.plugin, tags: Set(sensor.tags),
      fields: [
        ("device", .string(published.key.device)), ("plugin", .string(sensor.plugin)), ("type", .string(published.key.type)),
        ("context", .object(sensor.context.map { ($0.0, .string($0.1)) })),
        ("severity", .string(change.state.rawValue)), ("previous", .string(change.previous.rawValue)),
        ("value", change.value.map(JSONValue.double) ?? .null), ("unit", sensor.unit.map(JSONValue.string) ?? .null),
        ("threshold", change.threshold.map { .string($0.redfishKey) } ?? .null),
        ("threshold_reading", change.thresholdReading.map(JSONValue.double) ?? .null),
        ("message", .string(sensor.message)),
      ])
  }
}

extension JSONValue {
  /// A finite number as a `Double`; nil for anything else.
  var number: Double? {
    switch self {
    case .int(let value): Double(value)
    case .uint(let value): Double(value)
    case .double(let value): value.isFinite ? value : nil
    default: nil
    }
  }
}
