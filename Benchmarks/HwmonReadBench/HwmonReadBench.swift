import Foundation
import HwmonPlugin
import Logging

/// Benchmark (not a test) for `Benchmarks/bench-hwmon.sh`: full read passes over a sysfs tree,
/// every channel read concurrently as the SDK's parallel read loop does.
///
///     hwmon-read-bench SYSFS_ROOT [PASSES]
@main
struct HwmonReadBench {
  static func main() async throws {
    let arguments = CommandLine.arguments.dropFirst()
    guard let root = arguments.first else {
      print("usage: hwmon-read-bench SYSFS_ROOT [PASSES]")
      exit(2)
    }
    let passes = Int(arguments.dropFirst().first ?? "") ?? 2000
    let logger = Logger(label: "hwmon-read-bench", factory: { _ in SwiftLogNoOpLogHandler() })
    let scanner = HwmonScanner(root: root)
    let channels = scanner.chips().flatMap(scanner.channels(of:))
    var settings = HwmonSettings()
    settings.sysfsRoot = root
    let sensors = HwmonSensors(reader: DeadlineReader(files: PosixSysfsFiles(), deadline: .milliseconds(500), logger: logger), settings: settings, logger: logger)
    let clock = ContinuousClock()
    var durations: [Duration] = []
    var readings = 0
    for pass in 0..<(passes + 50) {
      let start = clock.now
      let count = await withTaskGroup(of: Int.self) { group in
        for channel in channels { group.addTask { await sensors.read(channel).count } }
        var total = 0
        for await count in group { total += count }
        return total
      }
      if pass >= 50 {  // warm-up passes are not counted
        durations.append(clock.now - start)
        readings = count
      }
    }
    durations.sort()
    func microseconds(_ duration: Duration) -> Double {
      Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    }
    let median = microseconds(durations[durations.count / 2])
    let p99 = microseconds(durations[durations.count * 99 / 100])
    print(String(format: "%d channels, %d readings per pass, %d passes: median %.0f µs per pass (%.1f µs per channel), p99 %.0f µs",
                 channels.count, readings, passes, median, median / Double(channels.count), p99))
  }
}
