import Foundation
import GRPCCore
import Synchronization
public import GRPCInProcessTransport
import GRPCNIOTransportHTTP2
public import Logging

/// A registered plugin as commands see it.
public struct PluginHandle: Sendable {
  public let metadata: PluginMetadataRecord
  public let version: PluginVersionRecord
  public let endpoint: PluginEndpoint
  public let client: any PluginClient
  public var active: Bool
  public var disabled: Bool
  public var id: String { metadata.id }
}

/// The plugins the server knows, in registration order, with their active/disabled state
/// and reconnect backoff (api-v3.md §8.4–§8.6). Plugins are never removed.
public actor PluginRegistry {
  public static let socketDirectory = "/tmp/synse"

  private struct Entry {
    var handle: PluginHandle
    var backoff = Backoff()
    var nextProbe: ContinuousClock.Instant?
  }

  private var entries: [Entry] = [] {
    didSet { published.withLock { $0 = entries.map(\.handle) } }
  }
  /// `entries`' handles, readable without a hop onto the actor (every read request needs them).
  private nonisolated let published = Mutex<[PluginHandle]>([])
  /// Sources that could not be registered yet, retried with backoff between refreshes.
  private var pending: [PluginEndpoint: (backoff: Backoff, due: ContinuousClock.Instant)] = [:]
  private var clients: [PluginEndpoint: any PluginClient] = [:]
  /// Configured sources; Kubernetes-discovered ones are added at each refresh.
  private let staticSources: [PluginEndpoint]
  private var sources: [PluginEndpoint]
  private let discovery: KubernetesDiscovery?
  private let embedded: [String: InProcessTransport.Client]
  private let timeout: Duration
  private let tls: (ca: String, clientCert: String?, clientKey: String?)?
  private let connections: PluginConnections
  private let logger: Logger
  private let metrics: ServerMetrics?
  /// The plugin ID each endpoint's client labels its gRPC metrics with.
  private var labels: [PluginEndpoint: PluginLabel] = [:]
  private var refreshing = false
  /// Called when a plugin comes back, so the device cache can pick its devices up again.
  private var onReactivated: (@Sendable () async -> Void)?

  public init(
    configuration: ServerConfiguration, embedded: [String: InProcessTransport.Client], connections: PluginConnections,
    logger: Logger, metrics: ServerMetrics? = nil
  ) {
    self.metrics = metrics
    var sources = configuration.tcpPlugins.map(PluginEndpoint.tcp) + configuration.unixPlugins.map(PluginEndpoint.unixSocket)
    sources += configuration.embeddedPlugins.filter { embedded[$0] != nil }.map(PluginEndpoint.embedded)
    self.staticSources = sources
    self.sources = sources
    self.discovery = configuration.kubernetes.map {
      KubernetesDiscovery(configuration: $0, environment: ProcessInfo.processInfo.environment, logger: logger)
    }
    self.embedded = embedded
    self.timeout = configuration.grpcTimeout
    self.tls = configuration.grpcTLSCert.map { ($0, configuration.grpcTLSClientCert, configuration.grpcTLSClientKey) }
    self.connections = connections
    self.logger = logger
  }

  func setReactivationHandler(_ handler: @escaping @Sendable () async -> Void) {
    onReactivated = handler
  }

  /// All plugins in registration order.
  public nonisolated var plugins: [PluginHandle] { published.withLock { $0 } }

  public func plugin(id: String) -> PluginHandle? {
    entries.first { $0.handle.id == id }?.handle
  }

  /// Registers new sources, disables vanished ones and probes the rest with `Test`.
  public func refresh() async {
    guard !refreshing else { return }
    refreshing = true
    defer { refreshing = false }
    if let discovery {
      let discovered = await discovery.endpoints()
      sources = staticSources + discovered.filter { !staticSources.contains($0) }
    }
    for endpoint in sources where !entries.contains(where: { $0.handle.endpoint == endpoint }) {
      await register(endpoint)
    }
    pending = pending.filter { endpoint, _ in !entries.contains { $0.handle.endpoint == endpoint } }
    for index in entries.indices {
      let disabled = !sources.contains(entries[index].handle.endpoint)
      if disabled != entries[index].handle.disabled { metrics?.pluginDisabled(entries[index].handle.id, disabled) }
      entries[index].handle.disabled = disabled
    }
    for handle in entries.map(\.handle) where !handle.disabled {
      do {
        _ = try await handle.client.test()
        markActive(handle.id)
      } catch {
        markInactive(handle.id, reason: error.description)
      }
    }
  }

  /// Registers `endpoint`; returns whether it is registered now. A failure is retried by
  /// ``probeInactive()`` with backoff, so a plugin started after the server is picked up
  /// within seconds rather than at the next refresh.
  @discardableResult
  private func register(_ endpoint: PluginEndpoint) async -> Bool {
    do {
      let client = try self.client(for: endpoint)
      let metadata = try await client.metadata()
      let version = try await client.version()
      guard !metadata.tag.isEmpty, !metadata.id.isEmpty else {
        logger.warning("plugin metadata lacks a tag or id; not registering", metadata: ["address": "\(endpoint)"])
        pending[endpoint] = nil
        return false
      }
      if let index = entries.firstIndex(where: { $0.handle.id == metadata.id }) {
        guard entries[index].handle.disabled else {
          logger.warning("plugin id already registered at another address", metadata: ["id": "\(metadata.id)", "address": "\(endpoint)"])
          pending[endpoint] = nil
          return false
        }
        entries[index] = Entry(handle: PluginHandle(metadata: metadata, version: version, endpoint: endpoint, client: client, active: true, disabled: false))
      } else {
        entries.append(Entry(handle: PluginHandle(metadata: metadata, version: version, endpoint: endpoint, client: client, active: true, disabled: false)))
      }
      labels[endpoint]?.set(metadata.id)
      metrics?.pluginActive(metadata.id, true)
      metrics?.pluginDisabled(metadata.id, false)
      logger.info("registered plugin", metadata: ["id": "\(metadata.id)", "tag": "\(metadata.tag)", "address": "\(endpoint)"])
      pending[endpoint] = nil
      return true
    } catch {
      var retry = pending[endpoint] ?? (Backoff(), .now)
      retry.due = .now + retry.backoff.nextDelay()
      pending[endpoint] = retry
      logger.warning("failed to register plugin; retrying with backoff", metadata: ["address": "\(endpoint)", "error": "\(error)"])
      return false
    }
  }

  /// One client per endpoint, created once and kept, its connection run by ``PluginConnections``.
  private func client(for endpoint: PluginEndpoint) throws -> any PluginClient {
    if let existing = clients[endpoint] { return existing }
    let client: any PluginClient
    var interceptors: [any ClientInterceptor] = []
    var counter: StreamedMessageCounter?
    if let metrics {
      let label = PluginLabel()
      labels[endpoint] = label
      interceptors.append(GRPCMetricsInterceptor(metrics: metrics, plugin: label))
      counter = StreamedMessageCounter(metrics: metrics, plugin: label)
    }
    switch endpoint {
    case .tcp(let address):
      let (host, port) = Self.split(address)
      client = GRPCPluginClient(
        transport: try HTTP2ClientTransport.Posix(target: Self.target(host: host, port: port), transportSecurity: security(verifyHostname: true)),
        timeout: timeout, interceptors: interceptors, counter: counter)
    case .unix(let path):
      client = GRPCPluginClient(
        transport: try HTTP2ClientTransport.Posix(target: .unixDomainSocket(path: path, authority: "localhost"), transportSecurity: security(verifyHostname: false)), timeout: timeout,
        interceptors: interceptors, counter: counter)
    case .embedded(let name):
      guard let transport = embedded[name] else { throw PluginCallError(RPCError(code: .unavailable, message: "no embedded plugin \(name)")) }
      client = GRPCPluginClient(transport: transport, timeout: timeout, interceptors: interceptors, counter: counter)
    }
    clients[endpoint] = client
    connections.start(client)
    return client
  }

  /// TLS to plugins when `grpc.tls.cert` is set: plugins must present a certificate signed
  /// by it (for TCP, valid for the address dialled); with `client_cert`/`client_key` the server
  /// presents its own, for plugins that verify clients (the SDK does unless `skipVerify`).
  private func security(verifyHostname: Bool) -> HTTP2ClientTransport.Posix.TransportSecurity {
    guard let tls else { return .plaintext }
    return .tls { config in
      config.trustRoots = .certificates([.file(path: tls.ca, format: .pem)])
      if let cert = tls.clientCert, let key = tls.clientKey {
        config.certificateChain = [.file(path: cert, format: .pem)]
        config.privateKey = .file(path: key, format: .pem)
      }
      // A Unix socket has no host name to check the certificate against.
      if !verifyHostname { config.serverCertificateVerification = .noHostnameVerification }
    }
  }

  /// IP literals are dialled as such: a DNS target would send the IP as the TLS server name,
  /// which TLS forbids (the certificate is then checked against the IP instead).
  static func target(host: String, port: Int?) -> any ResolvableTarget {
    if host.split(separator: ".").count == 4, host.allSatisfy({ $0.isNumber || $0 == "." }) {
      return .ipv4(address: host, port: port ?? 443)
    }
    if host.contains(":") { return .ipv6(address: host, port: port ?? 443) }
    return .dns(host: host, port: port)
  }

  static func split(_ address: String) -> (String, Int?) {
    guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else { return (address, nil) }
    let host = String(address[..<colon])
    return (host.isEmpty ? "127.0.0.1" : host, port)
  }

  public func markActive(_ id: String) {
    guard let index = entries.firstIndex(where: { $0.handle.id == id }) else { return }
    if !entries[index].handle.active { metrics?.pluginActive(id, true) }
    entries[index].handle.active = true
    entries[index].backoff.reset()
    entries[index].nextProbe = nil
  }

  public func markInactive(_ id: String, reason: String) {
    guard let index = entries.firstIndex(where: { $0.handle.id == id }) else { return }
    if entries[index].handle.active {
      logger.warning("plugin became inactive; reconnecting with backoff", metadata: ["id": "\(id)", "error": "\(reason)"])
      metrics?.pluginActive(id, false)
    }
    entries[index].handle.active = false
    if entries[index].nextProbe == nil {
      entries[index].nextProbe = .now + entries[index].backoff.nextDelay()
    }
  }

  /// Probes inactive plugins whose backoff has elapsed; a success re-activates them.
  public func probeInactive() async {
    var recovered = false
    for (endpoint, retry) in pending where retry.due <= .now {
      if await register(endpoint) { recovered = true }
    }
    for entry in entries where !entry.handle.active && !entry.handle.disabled {
      guard let due = entry.nextProbe, due <= .now else { continue }
      let id = entry.handle.id
      do {
        _ = try await entry.handle.client.test()
        markActive(id)
        recovered = true
        logger.info("plugin reconnected", metadata: ["id": "\(id)"])
      } catch {
        if let index = entries.firstIndex(where: { $0.handle.id == id }) {
          entries[index].nextProbe = .now + entries[index].backoff.nextDelay()
        }
      }
    }
    if recovered, let onReactivated { await onReactivated() }
  }
}
