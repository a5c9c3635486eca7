import Synchronization
@testable import SynseServerCore

/// A test double of ``PluginClient``: a connection to whatever ``FakePlugin`` sits at its
/// address in the ``FakePluginClientFactory`` at the time of each call (so a plugin replaced
/// at an address answers the old client too, as a restarted process would). Calls after
/// ``beginGracefulShutdown()`` fail, as they do on a closed gRPC client.
final class FakePluginClient: PluginClient {
  let endpoint: PluginEndpoint
  private let network: FakePluginClientFactory
  private let shutDown = Mutex(false)

  init(endpoint: PluginEndpoint, network: FakePluginClientFactory) {
    self.endpoint = endpoint
    self.network = network
  }

  var isShutDown: Bool { shutDown.withLock { $0 } }

  private func plugin() throws(PluginCallError) -> FakePlugin {
    guard !isShutDown, let plugin = network.plugin(at: endpoint) else { throw PluginCallError(FakePlugin.Unreachable()) }
    return plugin
  }

  func metadata() async throws(PluginCallError) -> PluginMetadataRecord { try plugin().metadata() }

  func version() async throws(PluginCallError) -> PluginVersionRecord {
    try plugin().answer("version") { _ in
      PluginVersionRecord(pluginVersion: "1.0.0", sdkVersion: "test", buildDate: "", gitCommit: "", gitTag: "", arch: "amd64", os: "linux")
    }
  }

  func test() async throws(PluginCallError) -> Bool { try plugin().answer("test") { _ in true } }

  func health() async throws(PluginCallError) -> PluginHealthRecord {
    try plugin().answer("health") { _ in PluginHealthRecord(timestamp: "2026-01-01T00:00:00Z", status: "OK", checks: []) }
  }

  func devices() async throws(PluginCallError) -> [DeviceRecord] { try plugin().devices() }

  func read(deviceID: String, tags: [String]) async throws(PluginCallError) -> [ReadingRecord] {
    try plugin().read(deviceID: deviceID, tags: tags)
  }

  func readCache(start: String, end: String, _ each: @escaping @Sendable (ReadingRecord) async throws -> Void) async throws(PluginCallError) {
    for reading in try plugin().read(deviceID: "", tags: []) {
      do { try await each(reading) } catch { throw PluginCallError(error) }
    }
  }

  func readStream(ids: [String], tagGroups: [[String]], _ each: @escaping @Sendable (ReadingRecord) async throws -> Void) async throws(PluginCallError) {
    try await readCache(start: "", end: "", each)
  }

  func writeAsync(deviceID: String, items: [WriteItem]) async throws(PluginCallError) -> [WriteTransactionRecord] {
    try plugin().writeAsync(deviceID: deviceID, items: items)
  }

  func transaction(id: String) async throws(PluginCallError) -> TransactionRecord {
    guard let status = try plugin().transaction(id: id) else { throw PluginCallError(FakePlugin.Unreachable()) }
    return status
  }

  func runConnections() async throws {}
  func beginGracefulShutdown() { shutDown.withLock { $0 = true } }
  var identity: ObjectIdentifier { ObjectIdentifier(self) }
}

/// A test double of ``PluginClientFactory`` that is also the "network": which ``FakePlugin``
/// answers at each address, changeable while the registry runs. Every client it made is kept.
final class FakePluginClientFactory: PluginClientFactory {
  private let plugins: Mutex<[PluginEndpoint: FakePlugin]>
  private let made = Mutex<[FakePluginClient]>([])

  init(_ plugins: [PluginEndpoint: FakePlugin] = [:]) {
    self.plugins = Mutex(plugins)
  }

  func plugin(at endpoint: PluginEndpoint) -> FakePlugin? { plugins.withLock { $0[endpoint] } }

  /// Puts `plugin` at `endpoint` (nil: nothing listens there any more).
  func place(_ plugin: FakePlugin?, at endpoint: PluginEndpoint) { plugins.withLock { $0[endpoint] = plugin } }

  /// The clients made so far, oldest first.
  var clients: [FakePluginClient] { made.withLock { $0 } }

  func servesEmbeddedPlugin(named name: String) -> Bool { plugin(at: .embedded(name)) != nil }

  func makeClient(for endpoint: PluginEndpoint, label: PluginLabel, onNewConnection: @escaping @Sendable () -> Void) throws -> any PluginClient {
    let client = FakePluginClient(endpoint: endpoint, network: self)
    made.withLock { $0.append(client) }
    return client
  }
}
