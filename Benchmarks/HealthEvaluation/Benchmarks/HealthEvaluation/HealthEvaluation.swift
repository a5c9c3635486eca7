import Benchmark
import SynseServerCore
import SynseSupport

// The cost of evaluating one reading against its thresholds (issue 17: ≤ 2 µs per reading at
// 10,000 sensors read once a second). Each scaled iteration is one reading of the next sensor
// of 10,000, round robin, so the state of every sensor is touched as in a server's read pass
// and not kept hot in cache; time advances one second per pass. Results are per reading
// (scalingFactor .kilo: the `*` rows). The server-side total, lock and lookups included, is
// measured on real processes by Benchmarks/bench-health.sh (CPU per reading, health on − off).

let benchmarks: @Sendable () -> Void = {
  let configuration = Benchmark.Configuration(
    metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], timeUnits: .nanoseconds,
    scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 1_000_000)

  // Readings inside the normal range: the common case, no transition.
  Benchmark("SensorHealth.observe, 10,000 sensors, steady readings", configuration: configuration) { benchmark, fleet in
    for _ in benchmark.scaledIterations { blackHole(fleet.observeNext { pass, index in 40 + Double((pass + index) % 7) }) }
  } setup: {
    try Fleet(sensors: 10_000)
  }

  // Every reading crosses UpperCritical one way or the other: a transition per reading.
  Benchmark("SensorHealth.observe, 10,000 sensors, every reading a transition", configuration: configuration) { benchmark, fleet in
    for _ in benchmark.scaledIterations { blackHole(fleet.observeNext { pass, _ in pass % 2 == 0 ? 96 : 20 }) }
  } setup: {
    try Fleet(sensors: 10_000)
  }

  // Dwell and hysteresis timers running: values wobble inside the hysteresis band.
  Benchmark("SensorHealth.observe, 10,000 sensors, dwell and hysteresis running", configuration: configuration) { benchmark, fleet in
    for _ in benchmark.scaledIterations { blackHole(fleet.observeNext { pass, _ in pass % 3 == 0 ? 94 : 96 }) }
  } setup: {
    try Fleet(sensors: 10_000, dwell: .seconds(5), hysteresis: 3, hysteresisDuration: .seconds(10))
  }
}

/// 10,000 sensors' state machines with Redfish-style thresholds (caution, critical and fatal
/// above, caution and critical below), fed round robin. Unchecked `Sendable`: package-benchmark
/// hands it from its setup to the iterations, which run one after another on one thread.
final class Fleet: @unchecked Sendable {
  var sensors: [SensorHealth<ContinuousClock.Instant>]
  let start = ContinuousClock.now
  var index = 0
  var pass = 0

  init(sensors count: Int, dwell: Duration = .zero, hysteresis: Double = 0, hysteresisDuration: Duration = .zero) throws {
    let thresholds = Thresholds(
      lowerCaution: Threshold(reading: 5, dwellTime: dwell), upperCaution: Threshold(reading: 80, dwellTime: dwell),
      lowerCritical: Threshold(reading: 0, dwellTime: dwell), upperCritical: Threshold(reading: 95, dwellTime: dwell),
      upperFatal: Threshold(reading: 110, dwellTime: dwell),
      hysteresisReading: hysteresis, hysteresisDuration: hysteresisDuration)
    let start = start
    sensors = try (0..<count).map { _ in try SensorHealth(thresholds: thresholds, start: start) }
  }

  /// Feeds the next sensor the value `value(pass, index)`; whether it announced a transition.
  @inline(__always)
  func observeNext(_ value: (Int, Int) -> Double) -> Bool {
    let changed = sensors[index].observe(value(pass, index), at: start.advanced(by: .seconds(pass))) != nil
    index += 1
    if index == sensors.count {
      index = 0
      pass += 1
    }
    return changed
  }
}
