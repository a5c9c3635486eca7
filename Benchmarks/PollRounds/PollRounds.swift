import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The alternating rounds the poll benchmarks (redfish-poll-bench, ipmi-poll-bench) share: one
/// poll of every endpoint at once against one poll of a single endpoint, each round in the
/// other order than the last, so neither measure always runs right after the other.
public struct PollRounds {
  /// Median wall time of a poll of all, and of the single one.
  public var medianAll: Double
  public var medianSingle: Double
  /// This process's CPU seconds during the polls of all, and what they read (points, readings).
  public var cpu: Double
  public var items: Int

  public var ratio: Double { medianAll / medianSingle }

  /// - Parameters:
  ///   - all: one poll of every endpoint at once; returns what it read.
  ///   - single: one poll of the single endpoint.
  public static func measure(
    rounds: Int, all: @Sendable () async throws -> Int, single: @Sendable () async throws -> Void
  ) async rethrows -> PollRounds {
    var timesAll: [Duration] = []
    var timesSingle: [Duration] = []
    var cpu = 0.0
    var items = 0
    for round in 1...rounds {
      for measureAll in round % 2 == 1 ? [true, false] : [false, true] {
        let started = ContinuousClock.now
        if measureAll {
          let before = cpuSeconds()
          items += try await all()
          cpu += cpuSeconds() - before
          timesAll.append(ContinuousClock.now - started)
        } else {
          try await single()
          timesSingle.append(ContinuousClock.now - started)
        }
      }
    }
    return PollRounds(
      medianAll: seconds(timesAll.sorted()[timesAll.count / 2]), medianSingle: seconds(timesSingle.sorted()[timesSingle.count / 2]),
      cpu: cpu, items: items)
  }

  static func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }
}
