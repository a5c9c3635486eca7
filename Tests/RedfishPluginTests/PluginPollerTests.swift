import Foundation
import Logging
import Synchronization
import SynseSDK
import Testing
@testable import RedfishPlugin

/// The poller rules of the plugin assembly, with walks that stand in for a BMC's answers
/// (the real walks against sushy-static are Tests/Interop/test_redfish_plugin.py).
struct PluginPollerTests {
  /// A transport the stand-in walks never call.
  struct Unused: RedfishTransport {
    let endpoint: String
    func get(_ path: String) async throws(RedfishError) -> RedfishResponse { throw RedfishError(.status, endpoint: endpoint, message: "unused") }
    func patch(_ path: String, body: Data, ifMatch: String?) async throws(RedfishError) -> RedfishResponse { try await get(path) }
    func post(_ path: String, body: Data) async throws(RedfishError) -> RedfishResponse { try await get(path) }
  }

  static func inventory(_ uuid: String) -> RedfishInventory {
    RedfishInventory(serviceUUID: uuid, points: [
      RedfishPoint(key: "/redfish/v1/Chassis/1/Sensors/T", path: "/redfish/v1/Chassis/1/Sensors/T", deviceType: "temperature",
                   output: "temperature", name: "Inlet", value: .number(21.5), context: ["health": "OK"]),
    ])
  }

  func poller(_ name: String, interval: Duration = .milliseconds(100), timeout: Duration = .seconds(1),
              walk: @escaping @Sendable (any RedfishTransport, Logger) async throws(RedfishError) -> RedfishInventory) -> RedfishPoller {
    RedfishPoller(endpoint: name, order: 0, transport: Unused(endpoint: name), interval: interval, timeout: timeout, walk: walk,
                  logger: Logger(label: "test"))
  }

  @Test func backoffDoublesFromTheIntervalUpToFiveMinutes() {
    let steps = (1...12).map { RedfishPoller.backoff(interval: .seconds(10), failures: $0) }
    #expect(steps.prefix(6) == [.seconds(10), .seconds(20), .seconds(40), .seconds(80), .seconds(160), .seconds(300)])
    #expect(steps.dropFirst(6).allSatisfy { $0 == .seconds(300) })
    #expect(RedfishPoller.backoff(interval: .seconds(600), failures: 3) == .seconds(600))
  }

  @Test func aHangingBMCNeitherDelaysAnotherNorHidesItsState() async throws {
    let slow = poller("http://slow", timeout: .milliseconds(200)) { _, _ throws(RedfishError) in
      try? await Task.sleep(for: .seconds(30))
      return Self.inventory("slow")
    }
    let fast = poller("http://fast") { _, _ throws(RedfishError) in Self.inventory("fast") }
    slow.start()
    fast.start()
    defer { slow.stop(); fast.stop() }
    let started = ContinuousClock.now
    await fast.firstWalk(within: .seconds(20))
    // Far below the slow walk's 30 s (and loose enough for a loaded test machine).
    #expect(fast.hasWalked && !slow.hasWalked)
    #expect(started.duration(to: .now) < .seconds(10))
    #expect(fast.point("fast/redfish/v1/Chassis/1/Sensors/T")?.value == .number(21.5))
    try await Task.sleep(for: .milliseconds(300))
    #expect(slow.point("slow/redfish/v1/Chassis/1/Sensors/T") == nil)
    #expect(throws: HandlerError.self) { try slow.health() }
    #expect((try? fast.health()) != nil)
  }

  @Test func aFailingBMCReportsItsErrorAndItsReadingsGoStale() async throws {
    let fail = Mutex(false)
    let flaky = poller("http://flaky", interval: .milliseconds(50)) { transport, _ throws(RedfishError) in
      if fail.withLock({ $0 }) { throw RedfishError(.unreachable, endpoint: transport.endpoint, message: "connection refused") }
      return Self.inventory("u")
    }
    flaky.start()
    defer { flaky.stop() }
    await flaky.firstWalk(within: .seconds(5))
    #expect(flaky.point("u/redfish/v1/Chassis/1/Sensors/T") != nil)
    fail.withLock { $0 = true }
    // Stale once the last good walk is 3 intervals (150 ms) old; waited for, not slept, so a
    // loaded machine does not fail it.
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline, flaky.point("u/redfish/v1/Chassis/1/Sensors/T") != nil || (try? flaky.health()) != nil {
      try await Task.sleep(for: .milliseconds(20))
    }
    #expect(flaky.point("u/redfish/v1/Chassis/1/Sensors/T") == nil)
    let error = #expect(throws: HandlerError.self) { try flaky.health() }
    #expect(error?.message == "redfish http://flaky: connection refused")
    #expect(flaky.inventory != nil)  // devices are kept while the BMC is down
  }

  /// A service root that answers while every collection behind it fails yields no device: the
  /// BMC's check fails naming why, as for one that does not answer at all.
  @Test func aBMCWithNothingReadableBehindItsRootFailsItsCheck() async throws {
    let empty = poller("http://empty") { _, _ throws(RedfishError) in
      RedfishInventory(serviceUUID: "e", points: [], problems: ["/redfish/v1/Chassis: 404 Not Found", "/redfish/v1/Systems: 404 Not Found"])
    }
    empty.start()
    defer { empty.stop() }
    await empty.firstWalk(within: .seconds(5))
    let error = #expect(throws: HandlerError.self) { try empty.health() }
    #expect(error?.message == "redfish http://empty: nothing readable behind the service root: /redfish/v1/Chassis: 404 Not Found; /redfish/v1/Systems: 404 Not Found")
    // Problems beside points are logged, not a failed check.
    let partial = poller("http://partial") { _, _ throws(RedfishError) in
      var inventory = Self.inventory("p")
      inventory.problems = ["/redfish/v1/Systems: 404 Not Found"]
      return inventory
    }
    partial.start()
    defer { partial.stop() }
    await partial.firstWalk(within: .seconds(5))
    #expect((try? partial.health()) != nil)
  }
}
