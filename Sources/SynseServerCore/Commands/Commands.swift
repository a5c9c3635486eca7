import Foundation
public import Logging

/// One method per Synse operation, shared by the HTTP and WebSocket adapters. Commands
/// return JSON models and throw ``SynseError`` only.
public struct Commands: Sendable {
  public let configuration: ServerConfiguration
  public let registry: PluginRegistry
  public let devices: DeviceCache
  public let transactions: TransactionCache
  public let logger: Logger
  /// The event feed (alarms, transactions, plugin state) that SSE, WebSocket and webhooks follow.
  public let events: EventJournal
  /// The latest readings kept by the plugins' live streams, and the health evaluation on them.
  public let live: LiveReadings
  /// Accepted writes, their ends and refused requests, for operators (docs/auth.md "Audit").
  public let audit: AuditLog
  let writeLimiter: WriteRateLimiter
  let coalescer = ReadCoalescer()
  let streamHub: ReadStreamHub
  public static let serverVersion = "0.1.0"

  public init(configuration: ServerConfiguration, registry: PluginRegistry, devices: DeviceCache, transactions: TransactionCache, logger: Logger,
    events: EventJournal = EventJournal(), health: HealthMonitor? = nil
  ) {
    self.configuration = configuration
    self.registry = registry
    self.devices = devices
    self.transactions = transactions
    self.logger = logger
    self.events = events
    audit = AuditLog()
    writeLimiter = WriteRateLimiter(rate: configuration.writes.rateLimit, burst: configuration.writes.burst)
    let monitor = health ?? HealthMonitor(
      enabled: configuration.health.enabled, unknownAfter: configuration.health.unknownAfter,
      resolver: ThresholdResolver(configuration: configuration), devices: devices, events: events, logger: logger)
    live = LiveReadings(monitor: monitor, devices: devices)
    streamHub = ReadStreamHub(live: live, logger: logger)
  }

  /// Runs a plugin call under the active/inactive guard (docs/api-v3.md §8.6); any failure
  /// becomes `error while issuing gRPC request: <operation>`, except a plugin's
  /// RESOURCE_EXHAUSTED (its write queue is full), which is 503 with the plugin's message.
  func call<T>(_ plugin: PluginHandle, _ operation: String, _ body: (any PluginClient) async throws(PluginCallError) -> T) async throws(SynseError) -> T {
    do {
      let result = try await body(plugin.client)
      await registry.markActive(plugin.id)
      return result
    } catch {
      if error.isPluginLevel {
        await registry.markActive(plugin.id)
      } else {
        await registry.markInactive(plugin.id, reason: error.description)
      }
      logger.warning("plugin call failed", metadata: ["plugin": "\(plugin.id)", "operation": "\(operation)", "error": "\(error)"])
      // A full write queue is the plugin saying "later", not a fault: 503 with its words.
      if error.isBusy {
        throw .refused(status: 503, reason: "service unavailable", context: "plugin \(plugin.id) is busy: \(error.message ?? error.description)")
      }
      throw .serverError("error while issuing gRPC request: \(operation)")
    }
  }

  /// The device's owning plugin. Unknown devices keep the original's 404 and body shape, but
  /// the message says the device is unknown instead of blaming a missing plugin.
  func owner(of deviceID: String) async throws(SynseError) -> PluginHandle {
    guard let device = devices.device(deviceID) else {
      throw .notFound("device not found: \(deviceID) (no device with this ID or alias is known, so no plugin to ask)")
    }
    guard let plugin = await registry.plugin(id: device.plugin) else {
      throw .notFound("plugin not found for device \(deviceID)")
    }
    return plugin
  }

  /// The owner of a device that may be written: a device whose plugin declares it
  /// read-only is refused here with 405 (docs/api-v3.md §2.2 allows it; the original passed the
  /// write on and reported the plugin's refusal as a 500).
  func writableOwner(of deviceID: String) async throws(SynseError) -> PluginHandle {
    if let mode = devices.device(deviceID)?.capabilities?.mode, !mode.contains("w") {
      throw .unsupportedAction("device \(deviceID) does not support writing (capabilities mode: \(mode.isEmpty ? "none" : mode))")
    }
    return try await owner(of: deviceID)
  }
}
