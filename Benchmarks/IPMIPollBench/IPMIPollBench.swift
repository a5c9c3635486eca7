import Foundation
import IPMIPlugin
import PollRounds
import SynseSDK

#if canImport(Glibc)
  import Glibc
#endif

/// Benchmark (not a test) for `Benchmarks/bench-ipmi.sh`: one poll of a BMC as the plugin does
/// it (``BMCConnection/poll()``: System GUID, every SDR sensor with its thresholds, chassis
/// status; each BMC on its own thread), against real `ipmi_sim` BMCs on loopback.
///
///     ipmi-poll-bench ROUNDS ALONE PORT...
///         ROUNDS alternating rounds of: one poll of every BMC at PORT... at once, and one poll
///         of the BMC at ALONE (another simulator of the same kind: ipmi_sim may drop a session
///         when a second one opens); wall-time medians, their ratio, and this process's CPU per
///         reading during the polls of every BMC
@main
struct IPMIPollBench {
  static func main() async throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard arguments.count >= 3, let rounds = Int(arguments[0]), rounds > 0 else {
      print("usage: ipmi-poll-bench ROUNDS ALONE PORT...")
      exit(2)
    }
    let cache = NSTemporaryDirectory() + "ipmi-poll-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: cache) }
    func connection(_ port: String) throws -> BMCConnection {
      let item = ConfigValue.map([
        ("host", .string("127.0.0.1")), ("port", .int(Int64(port) ?? 623)), ("username", .string("admin")),
        ("password", .string("secret")), ("timeout", .string("10s")),
      ])
      return BMCConnection(try IPMIEndpointSettings(item), cacheDirectory: cache)
    }
    let fleet = try arguments.dropFirst(2).map(connection)
    let alone = try connection(arguments[1])
    // Warm-up: sessions open and SDRs cached, as in a running plugin after its first poll.
    _ = try await pollAll(fleet)
    _ = try await alone.poll()
    let result = try await PollRounds.measure(rounds: rounds, all: { try await pollAll(fleet) }, single: { _ = try await alone.poll() })
    print(String(format: "%d BMCs, %d rounds: one poll of all %.2f ms (median), of one alone %.2f ms, ratio %.3f",
                 fleet.count, rounds, result.medianAll * 1e3, result.medianSingle * 1e3, result.ratio))
    print(String(format: "plugin CPU %.1f µs per reading (%d readings over %d polls of all, %.3f s CPU)",
                 result.cpu * 1e6 / Double(result.items), result.items, rounds, result.cpu))
  }

  /// Polls every BMC at once; the readings taken (sensors and chassis status).
  static func pollAll(_ fleet: [BMCConnection]) async throws -> Int {
    try await withThrowingTaskGroup(of: Int.self) { group in
      for bmc in fleet { group.addTask { try await bmc.poll().sensorCount + 1 } }
      return try await group.reduce(0, +)
    }
  }
}
