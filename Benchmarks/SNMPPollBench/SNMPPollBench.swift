import Foundation
import PollRounds
import SNMPPlugin
import SynseSDK

#if canImport(Glibc)
  import Glibc
#endif

/// Benchmark (not a test) for `Benchmarks/bench-snmp.sh`: one poll of an agent as the plugin does
/// it (``SNMPTarget/poll()``: every column of the agent's profile in one walk, the scalars in
/// GETs; each agent on its own thread), against snmpsim's recordings of real devices.
///
/// Profiles: the shipped ones and those of `SNMP_PROFILES_DIR`, as in the plugin.
///
///     snmp-poll-bench requests PORT COMMUNITY
///         SNMP requests of one poll of the agent, with GETBULK (the plugin's way) and with
///         GETNEXT, and the devices each poll found
///     snmp-poll-bench rounds ROUNDS COMMUNITY ALONE PORT...
///         ROUNDS alternating rounds of: one poll of every agent at PORT... at once, and one poll
///         of the agent at ALONE; wall-time medians, their ratio, and this process's CPU per
///         device read during the polls of every agent
@main
struct SNMPPollBench {
  static func main() async throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    let library = try SNMPProfileLibrary.load(directory: ProcessInfo.processInfo.environment["SNMP_PROFILES_DIR"], outputs: Plugin(metadata: PluginMetadata(name: "b", maintainer: "b"), version: PluginVersion(pluginVersion: "0")).outputs)
    func target(_ port: String, _ community: String, bulk: Bool = true) throws -> SNMPTarget {
      let item = ConfigValue.map([("address", .string("127.0.0.1:\(port)")), ("community", .string(community)), ("timeout", .string("10s"))])
      return SNMPTarget(try SNMPTargetSettings(item), library: library, bulk: bulk)
    }
    switch (arguments.first, arguments.count) {
    case ("requests", 3):
      let bulk = try await target(arguments[1], arguments[2]).poll()
      let next = try await target(arguments[1], arguments[2], bulk: false).poll()
      print("\(arguments[2]) (\(bulk.profile)): one poll, \(bulk.devices.count) devices: \(bulk.requests) requests with GETBULK, "
        + "\(next.requests) with GETNEXT (\(next.devices.count) devices), ratio \(String(format: "%.3f", Double(bulk.requests) / Double(next.requests)))")
    case ("rounds", let count) where count >= 5:
      guard let rounds = Int(arguments[1]), rounds > 0 else { fallthrough }
      let community = arguments[2]
      let fleet = try arguments.dropFirst(4).map { try target($0, community) }
      let alone = try target(arguments[3], community)
      // Warm-up: sessions open and profiles chosen, as in a running plugin after its first poll.
      _ = try await pollAll(fleet)
      _ = try await alone.poll()
      let result = try await PollRounds.measure(rounds: rounds, all: { try await pollAll(fleet) }, single: { _ = try await alone.poll() })
      print(String(format: "%d agents (%@), %d rounds: one poll of all %.2f ms (median), of one alone %.2f ms, ratio %.3f",
                   fleet.count, community, rounds, result.medianAll * 1e3, result.medianSingle * 1e3, result.ratio))
      print(String(format: "plugin CPU %.1f µs per device read (%d over %d polls of all, %.3f s CPU)",
                   result.cpu * 1e6 / Double(result.items), result.items, rounds, result.cpu))
    default:
      print("usage: snmp-poll-bench requests PORT COMMUNITY | rounds ROUNDS COMMUNITY ALONE PORT...")
      exit(2)
    }
  }

  /// Polls every agent at once; the devices read.
  static func pollAll(_ fleet: [SNMPTarget]) async throws -> Int {
    try await withThrowingTaskGroup(of: Int.self) { group in
      for target in fleet { group.addTask { try await target.poll().devices.count } }
      return try await group.reduce(0, +)
    }
  }
}
