import Logging
import Synchronization
import SynseSDK

/// Every configured BMC's poller, by endpoint, made once and kept across rescans; and the
/// plugin-wide things they share (poll interval, warnings given once).
final class RedfishFleet: Sendable {
  private let parts: RedfishParts
  private let logger: Logger
  private let pollers = Mutex<[String: RedfishPoller]>([:])
  private let endpoints = Mutex<[String: RedfishEndpoint]>([:])
  private let pollInterval = Mutex<Duration>(.seconds(10))
  private let warned = Mutex<Set<String>>([])

  init(parts: RedfishParts, logger: Logger) {
    self.parts = parts
    self.logger = logger
  }

  /// The walk interval of pollers made from now on: the plugin's `settings.read.interval`.
  func configure(interval: Duration) {
    pollInterval.withLock { $0 = max(interval, .milliseconds(100)) }
  }

  /// The poller of `endpoint`, made and started on first use.
  /// - Throws: ``ConfigError`` when the client cannot be made (CA file unreadable, …).
  func poller(for endpoint: RedfishEndpoint) throws(ConfigError) -> RedfishPoller {
    if let existing = pollers.withLock({ $0[endpoint.endpoint] }) { return existing }
    let transport: any RedfishTransport
    do {
      transport = try endpoint.connect(logger)
    } catch {
      throw ConfigError(.invalidValue, key: error.kind == .config ? nil : "endpoint", message: "\(error)")
    }
    let interval = pollInterval.withLock { $0 }
    let (poller, made) = pollers.withLock { table in
      if let existing = table[endpoint.endpoint] { return (existing, false) }
      let poller = RedfishPoller(
        endpoint: endpoint.endpoint, order: table.count, transport: transport, interval: interval,
        timeout: endpoint.timeout, walk: parts.walk, logger: logger)
      table[endpoint.endpoint] = poller
      return (poller, true)
    }
    if made {
      endpoints.withLock { $0[endpoint.endpoint] = endpoint }
      poller.start()
    } else {
      Task { await endpoint.disconnect(transport) }
    }
    return poller
  }

  func poller(named endpoint: String) -> RedfishPoller? {
    pollers.withLock { $0[endpoint] }
  }

  /// Pollers in configuration order.
  var all: [RedfishPoller] {
    pollers.withLock { Array($0.values) }.sorted { $0.order < $1.order }
  }

  /// Device keys already served by earlier-configured BMCs reporting the same service UUID
  /// as `poller`: one service reached at two addresses would otherwise give each device twice
  /// (one ID twice fails the whole device set). Services that merely share a UUID (copied
  /// mockups, careless firmware) but not resource paths are served in full.
  func claimed(before poller: RedfishPoller) -> Set<String> {
    guard let uuid = poller.inventory?.serviceUUID else { return [] }
    return all.filter { $0.order < poller.order && $0.inventory?.serviceUUID == uuid }
      .reduce(into: Set<String>()) { $0.formUnion($1.deviceKeys) }
  }

  /// The earlier BMC serving every device of `poller` (the same service at two addresses).
  func shadowing(_ poller: RedfishPoller) -> RedfishPoller? {
    let keys = poller.deviceKeys
    guard let uuid = poller.inventory?.serviceUUID, !keys.isEmpty else { return nil }
    return all.first { $0.order < poller.order && $0.inventory?.serviceUUID == uuid && keys.isSubset(of: $0.deviceKeys) }
  }

  /// Runs `log` the first time `key` is seen (rescans repeat; warnings should not).
  func warnOnce(_ key: String, _ log: () -> Void) {
    if warned.withLock({ $0.insert(key).inserted }) { log() }
  }

  /// Stops every poller and logs out of every BMC.
  func shutdown() async {
    let stopping = all
    stopping.forEach { $0.stop() }
    let connections = endpoints.withLock { $0 }
    await withTaskGroup(of: Void.self) { group in
      for poller in stopping {
        guard let endpoint = connections[poller.endpoint] else { continue }
        group.addTask { await endpoint.disconnect(poller.transport) }
      }
    }
  }
}
