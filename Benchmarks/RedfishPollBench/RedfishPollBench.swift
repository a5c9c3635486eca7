import Foundation
import Logging
import PollRounds
import RedfishPlugin
import SynseSDK

#if canImport(Glibc)
  import Glibc
#endif

/// Benchmark (not a test) for `Benchmarks/bench-redfish.sh`: the plugin's discovery walk, the
/// whole of one poll of a BMC, run with the plugin's own client against real Redfish services.
///
///     redfish-poll-bench requests ENDPOINT
///         requests of the first walk and of the next (a refused `$expand` is remembered), and
///         the points found
///     redfish-poll-bench poll ROUNDS SLOW ENDPOINT...
///         ROUNDS alternating rounds of: one poll of every ENDPOINT at once (SLOW among them),
///         and one poll of SLOW alone; wall-time medians, their ratio, and this process's CPU
///         per point read during the polls of every endpoint
@main
struct RedfishPollBench {
  static let logger = Logger(label: "redfish-poll-bench", factory: { _ in SwiftLogNoOpLogHandler() })

  static func main() async throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    switch (arguments.first, arguments.count) {
    case ("requests", 2): try await requests(arguments[1])
    case ("poll", 4...): try await poll(rounds: Int(arguments[1]) ?? 3, slow: arguments[2], endpoints: Array(arguments[3...]))
    default:
      print("usage: redfish-poll-bench requests ENDPOINT | poll ROUNDS SLOW ENDPOINT...")
      exit(2)
    }
  }

  /// One BMC as the plugin keeps it: its client and what its walks learnt.
  struct BMC {
    let client: RedfishClient
    let memory = RedfishWalkMemory()

    init(_ endpoint: String) throws {
      let settings = try RedfishEndpointSettings(.map([(key: "endpoint", value: .string(endpoint)), (key: "timeout", value: .string("60s"))]))
      client = try RedfishClient(settings: settings, logger: RedfishPollBench.logger)
    }

    /// One poll; the number of points it read.
    func walk() async throws -> RedfishInventory {
      try await RedfishDiscovery.walk(client, logger: RedfishPollBench.logger, memory: memory)
    }
  }

  static func requests(_ endpoint: String) async throws {
    let bmc = try BMC(endpoint)
    let first = try await bmc.walk()
    let next = try await bmc.walk()
    print("\(endpoint): first poll \(first.requestCount) requests, next \(next.requestCount), \(next.points.count) points, problems \(next.problems.count)")
    await bmc.client.shutdown()
  }

  static func poll(rounds: Int, slow: String, endpoints: [String]) async throws {
    let fleet = try endpoints.map(BMC.init)
    let alone = try BMC(slow)
    // Warm-up: connections open, refused `$expand` remembered, as in a running plugin.
    _ = try await pollAll(fleet)
    _ = try await alone.walk()
    let result = try await PollRounds.measure(rounds: rounds, all: { try await pollAll(fleet) }, single: { _ = try await alone.walk() })
    print(String(format: "%d endpoints, %d rounds: one poll of all %.2f s (median), of the slowest alone %.2f s, ratio %.3f",
                 endpoints.count, rounds, result.medianAll, result.medianSingle, result.ratio))
    print(String(format: "plugin CPU %.1f µs per point read (%d points over %d polls of all, %.2f s CPU)",
                 result.cpu * 1e6 / Double(result.items), result.items, rounds, result.cpu))
    for bmc in fleet + [alone] { await bmc.client.shutdown() }
  }

  /// Polls every BMC at once; the points read.
  static func pollAll(_ fleet: [BMC]) async throws -> Int {
    try await withThrowingTaskGroup(of: Int.self) { group in
      for bmc in fleet { group.addTask { try await bmc.walk().points.count } }
      return try await group.reduce(0, +)
    }
  }
}
