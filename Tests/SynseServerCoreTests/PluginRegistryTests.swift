import Testing
@testable import SynseServerCore

/// ``PluginRegistry`` with real ``Commands`` and caches over ``FakePlugin``s: registration,
/// refresh, an unreachable plugin, a different plugin at a registered address.
struct PluginRegistryTests {
  static func plugin(_ name: String, devices: [String] = []) -> FakePlugin {
    let id = "plugin-\(name)"
    return FakePlugin(
      id: id, devices: devices.map { FakePlugin.device($0, plugin: id) }, readings: devices.map { FakePlugin.reading($0, 1) })
  }

  @Test func registersEveryReachablePlugin() async throws {
    let server = try FakePluginServer(
      addresses: ["a:5001", "b:5002", "c:5003"], plugins: ["b:5002": Self.plugin("b"), "a:5001": Self.plugin("a")])
    try await server.start()
    let plugins = server.registry.plugins
    #expect(plugins.map(\.id) == ["plugin-a", "plugin-b"])
    #expect(plugins.map(\.active) == [true, true])
    #expect(plugins.map(\.endpoint) == [.tcp("a:5001"), .tcp("b:5002")])
    #expect(server.registry.unregisteredSourceCount == 1)
    let summaries = try await server.commands.plugins(refresh: false).objects().sorted { "\($0["id"] ?? "")" < "\($1["id"] ?? "")" }
    #expect(summaries.map { $0["id"] as? String } == ["plugin-a", "plugin-b"])
    #expect(summaries.map { $0["tag"] as? String } == ["tests/fake-plugin-a", "tests/fake-plugin-b"])
    #expect(summaries.map { $0["active"] as? Bool } == [true, true])
  }

  @Test func refreshRegistersAPluginThatCameUpLater() async throws {
    let server = try FakePluginServer(addresses: ["a:5001", "c:5003"], plugins: ["a:5001": Self.plugin("a")])
    try await server.start()
    #expect(server.registry.plugins.map(\.id) == ["plugin-a"])
    server.network.place(Self.plugin("c", devices: ["c1"]), at: .tcp("c:5003"))
    await server.registry.refresh()
    #expect(server.registry.plugins.map(\.id) == ["plugin-a", "plugin-c"])
    #expect(server.registry.unregisteredSourceCount == 0)
    _ = try await server.commands.scan(namespace: "default", tagGroups: [], force: true, sort: nil)
    #expect(server.devices.device("c1")?.plugin == "plugin-c")
  }

  @Test func anUnreachablePluginIsInactiveSkippedByReadsAndBackAfterARefresh() async throws {
    let a = Self.plugin("a", devices: ["a1"])
    let b = Self.plugin("b", devices: ["b1"])
    let server = try FakePluginServer(addresses: ["a:5001", "b:5002"], plugins: ["a:5001": a])
    try await server.start()
    server.network.place(b, at: .tcp("b:5002"))
    try await server.start()
    b.reachable = false
    // The read that finds the plugin gone fails (docs/api-v3.md §8.6) and marks it inactive.
    let failed = await #expect(throws: SynseError.self) {
      try await server.commands.read(namespace: "default", tagGroups: [], pluginID: nil)
    }
    #expect(failed?.httpStatus == 500)
    #expect(server.registry.plugins.map(\.active) == [true, false])
    let summaries = try await server.commands.plugins(refresh: false).objects()
    #expect(summaries.map { $0["active"] as? Bool } == [true, false])
    // Later reads skip it, and ask for one reconnect attempt in the background.
    let readings = try await server.commands.read(namespace: "default", tagGroups: [], pluginID: nil).objects()
    #expect(readings.map { $0["device"] as? String } == ["a1"])
    try await waitUntil { b.refusals("metadata") == 1 }
    b.reachable = true
    await server.registry.refresh()
    #expect(server.registry.plugins.map(\.active) == [true, true])
    let both = try await server.commands.read(namespace: "default", tagGroups: [], pluginID: nil).objects()
    #expect(both.map { $0["device"] as? String } == ["a1", "b1"])
  }

  @Test func aDifferentPluginAtARegisteredAddressReplacesTheOldEntry() async throws {
    let server = try FakePluginServer(addresses: ["a:5001"], plugins: ["a:5001": Self.plugin("a", devices: ["a1"])])
    try await server.start()
    #expect(server.devices.device("a1") != nil)
    server.network.place(Self.plugin("z", devices: ["z1"]), at: .tcp("a:5001"))
    await server.registry.refresh()
    #expect(server.registry.plugins.map(\.id) == ["plugin-z"])
    #expect(server.registry.plugins.first?.metadata.tag == "tests/fake-plugin-z")
    _ = try await server.commands.scan(namespace: "default", tagGroups: [], force: true, sort: nil)
    #expect(server.devices.devices.map(\.id) == ["z1"])
    let replaced = await #expect(throws: SynseError.self) { try await server.commands.plugin(id: "plugin-a") }
    #expect(replaced?.httpStatus == 404)
  }

  @Test func pluginsAreListedInTheirConfiguredOrderWhateverOrderTheyAnswerIn() async throws {
    let server = try FakePluginServer(
      addresses: ["c:5003", "a:5001", "b:5002"], plugins: ["b:5002": Self.plugin("b"), "a:5001": Self.plugin("a")])
    try await server.start()
    #expect(server.registry.plugins.map(\.id) == ["plugin-a", "plugin-b"])
    // One that comes up later takes its configured place, not the end of the list.
    server.network.place(Self.plugin("c"), at: .tcp("c:5003"))
    await server.registry.refresh()
    #expect(server.registry.plugins.map(\.id) == ["plugin-c", "plugin-a", "plugin-b"])
    let summaries = try await server.commands.plugins(refresh: false).objects()
    #expect(summaries.map { $0["id"] as? String } == ["plugin-c", "plugin-a", "plugin-b"])
  }

  @Test func aPluginIDAlreadyRegisteredElsewhereIsNotRegisteredTwice() async throws {
    let server = try FakePluginServer(
      addresses: ["a:5001", "b:5002"], plugins: ["a:5001": Self.plugin("a"), "b:5002": Self.plugin("a")])
    try await server.start()
    // Both are dialled at once, so either may win; the other is refused (docs/api-v3.md §8.4).
    #expect(server.registry.plugins.map(\.id) == ["plugin-a"])
  }
}
