import Testing
@testable import SynseServerCore

/// `/v3/read` from the live reading cache while a plugin's stream is live and primed, and from
/// the plugin when it is not (never primed, or the stream ended).
struct LiveReadingsTests {
  @Test func readsComeFromTheLiveStreamOnceEveryDeviceReportedAndFromThePluginAfterItEnds() async throws {
    let (server, a) = try await FakePluginServer.twoPlugins()
    let live = server.commands.live
    let direct = try await server.commands.read(namespace: "default", tagGroups: [], pluginID: "plugin-a").objects()
    live.begin(plugin: "plugin-a")
    for reading in try a.read(deviceID: "", tags: []) { _ = live.ingest(reading, plugin: "plugin-a") }
    // The fan has no reading yet: not every device reported, so not live before the patience.
    #expect(!live.prime(plugin: "plugin-a", patienceOver: false))
    #expect(live.prime(plugin: "plugin-a", patienceOver: true))

    let calls = a.calls("read")
    let fromStream = try await server.commands.read(namespace: "default", tagGroups: [], pluginID: "plugin-a").objects()
    let tagged = try await server.commands.read(namespace: "default", tagGroups: [["foo"]], pluginID: "plugin-a").objects()
    #expect(a.calls("read") == calls)
    #expect(fromStream.map { $0["device"] as? String } == direct.map { $0["device"] as? String })
    #expect(fromStream.map { $0["value"] as? Int } == direct.map { $0["value"] as? Int })
    #expect(tagged.map { $0["device"] as? String } == ["a1"])

    // A newer reading replaces the old one of the same sensor.
    _ = live.ingest(FakePlugin.reading("a1", 10, timestamp: "2026-01-01T00:00:01Z"), plugin: "plugin-a")
    let updated = try await server.commands.read(namespace: "default", tagGroups: [], pluginID: "plugin-a").objects()
    #expect(updated.map { $0["value"] as? Int } == [10, 2])

    live.end(plugin: "plugin-a")
    let afterEnd = try await server.commands.read(namespace: "default", tagGroups: [], pluginID: "plugin-a").objects()
    #expect(a.calls("read") == calls + 1)
    #expect(afterEnd.map { $0["value"] as? Int } == [1, 2])
  }

  /// A device the plugin stops reading (removed, its BMC gone) leaves the live read after
  /// `health.unknown_after` of its read intervals, as a direct `Read` would leave it out, and
  /// comes back with its next reading; a device still reporting stays throughout.
  @Test(.timeLimit(.minutes(1))) func aDeviceThatStopsReportingLeavesTheLiveReadAndComesBack() async throws {
    let (server, a) = try await FakePluginServer.twoPlugins()
    let live = server.commands.live
    live.begin(plugin: "plugin-a")
    let readings = try a.read(deviceID: "", tags: [])
    func pass(_ devices: Set<String>) throws {
      for reading in readings where devices.contains(reading.device) { _ = live.ingest(reading, plugin: "plugin-a") }
    }
    func served() async throws -> [String] {
      try await server.commands.read(namespace: "default", tagGroups: [], pluginID: "plugin-a").objects().compactMap { $0["device"] as? String }
    }
    try pass(["a1", "a2"])
    try await Task.sleep(for: .seconds(1))
    try pass(["a1", "a2"])
    #expect(live.prime(plugin: "plugin-a", patienceOver: true))
    let calls = a.calls("read")
    #expect(try await served() == ["a1", "a2"])
    let deadline = ContinuousClock.now + .seconds(30)
    var devices = ["a1", "a2"]
    while devices.contains("a2"), ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(500))
      try pass(["a1"])
      live.sweep()
      devices = try await served()
      #expect(devices.contains("a1"))
    }
    #expect(devices == ["a1"])
    try pass(["a2"])
    #expect(try await served() == ["a1", "a2"])
    #expect(a.calls("read") == calls, "served from the stream throughout")
  }
}
