import Foundation
import Logging
@testable import SynseServerCore

/// The server's real core (``PluginRegistry``, ``DeviceCache``, ``TransactionCache``,
/// ``Commands``) configured with `plugin.tcp` addresses, each answered by a ``FakePlugin``
/// (or by nothing) through a ``FakePluginClientFactory``.
struct FakePluginServer {
  let configuration: ServerConfiguration
  let network: FakePluginClientFactory
  let registry: PluginRegistry
  let devices: DeviceCache
  let transactions: TransactionCache
  let commands: Commands

  /// - Parameters:
  ///   - addresses: `plugin.tcp`, in order (`host:port`).
  ///   - plugins: the plugin answering at each address; an address without one is down.
  init(addresses: [String], plugins: [String: FakePlugin]) throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("fake-plugin-server-\(UUID().uuidString).yaml").path
    let yaml = "pretty_json: false\nplugin:\n  tcp: [\(addresses.joined(separator: ", "))]\n"
    try Data(yaml.utf8).write(to: URL(fileURLWithPath: file))
    defer { try? FileManager.default.removeItem(atPath: file) }
    configuration = try ServerConfiguration.load(path: file, environment: [:])
    network = FakePluginClientFactory(Dictionary(uniqueKeysWithValues: plugins.map { (PluginEndpoint.tcp($0.key), $0.value) }))
    let logger = Logger(label: "fake-plugin-server") { _ in SwiftLogNoOpLogHandler() }
    registry = PluginRegistry(configuration: configuration, clients: network, connections: PluginConnections(), logger: logger)
    devices = DeviceCache(logger: logger)
    transactions = TransactionCache(ttl: .seconds(60))
    commands = Commands(configuration: configuration, registry: registry, devices: devices, transactions: transactions, logger: logger)
  }

  /// Registers the reachable plugins and fills the device cache, as the first maintenance pass does.
  func start() async throws {
    await registry.refresh()
    try await devices.rebuild(registry: registry, refreshingPlugins: false)
  }
}

extension FakePluginServer {
  /// Plugin a (`a:5001`): `a1` (tag `foo`), `a2` (`bar`), writable `fan`; plugin b
  /// (`b:5002`): `b1` (`foo` and `bar`), `b2`. Readings: a1 1, a2 2, b1 3, b2 4. Registered
  /// a before b, devices cached. Returns the server and plugin a.
  static func twoPlugins() async throws -> (FakePluginServer, FakePlugin) {
    let a = FakePlugin(
      id: "plugin-a",
      devices: [
        FakePlugin.device("a1", plugin: "plugin-a", tags: ["default/foo"]), FakePlugin.device("a2", plugin: "plugin-a", tags: ["default/bar"]),
        FakePlugin.device("fan", plugin: "plugin-a", type: "fan", mode: "rw"),
      ],
      readings: [FakePlugin.reading("a1", 1), FakePlugin.reading("a2", 2)])
    let b = FakePlugin(
      id: "plugin-b",
      devices: [FakePlugin.device("b1", plugin: "plugin-b", tags: ["default/foo", "default/bar"]), FakePlugin.device("b2", plugin: "plugin-b")],
      readings: [FakePlugin.reading("b1", 3), FakePlugin.reading("b2", 4)])
    // One after the other: plugins answering the same refresh register in the order they answer.
    let server = try FakePluginServer(addresses: ["a:5001", "b:5002"], plugins: ["a:5001": a])
    try await server.start()
    server.network.place(b, at: .tcp("b:5002"))
    try await server.start()
    return (server, a)
  }
}

/// Waits until `condition` holds (checked every 10 ms), for at most `limit`.
///
/// - Throws: ``Timeout`` when it still does not hold after `limit`.
func waitUntil(_ limit: Duration = .seconds(5), _ condition: () -> Bool) async throws {
  let deadline = ContinuousClock.now + limit
  while !condition() {
    guard ContinuousClock.now < deadline else { throw Timeout() }
    try await Task.sleep(for: .milliseconds(10))
  }
}

/// A condition ``waitUntil(_:_:)`` waited for did not come true in time.
struct Timeout: Error {}

extension JSONValue {
  /// The value as Foundation objects (`[String: Any]`, `[Any]`, `String`, `NSNumber`), to read in assertions.
  func decoded() throws -> Any {
    try JSONSerialization.jsonObject(with: Data(serializedBytes(pretty: false)), options: [.fragmentsAllowed])
  }

  /// The value as a list of objects; empty when it is not one.
  func objects() throws -> [[String: Any]] { try decoded() as? [[String: Any]] ?? [] }
}
