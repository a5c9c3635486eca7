import GRPCCore
public import GRPCInProcessTransport
import GRPCNIOTransportHTTP2
import NIOCore
import Synchronization
import SynseSupport
import SynseTelemetry

/// The server's ``PluginClientFactory``: gRPC clients over HTTP/2 for TCP and Unix-socket
/// plugins (TLS when `grpc.tls.cert` is set), and over an in-process transport for embedded
/// plugins; `grpc.timeout` on every call, `synse_grpc_*` metrics when enabled.
///
/// ```swift
/// let clients = GRPCPluginClientFactory(configuration: configuration, embedded: ["emulator": transport.client], metrics: metrics)
/// let registry = PluginRegistry(configuration: configuration, clients: clients, connections: connections, logger: logger)
/// ```
public struct GRPCPluginClientFactory: PluginClientFactory {
  let embedded: [String: InProcessTransport.Client]
  let timeout: Duration
  let tls: (ca: String, clientCert: String?, clientKey: String?)?
  let metrics: ServerMetrics?
  /// `otel.enabled`: a client span per call, its trace context sent to the plugin.
  let tracing: Bool

  /// - Parameters:
  ///   - configuration: `grpc.timeout`, `grpc.tls.*` and `otel.enabled` are read.
  ///   - embedded: the client side of each embedded plugin's in-process transport, by name.
  ///   - metrics: where gRPC call metrics go; `nil` records none.
  public init(configuration: ServerConfiguration, embedded: [String: InProcessTransport.Client] = [:], metrics: ServerMetrics? = nil) {
    self.embedded = embedded
    self.timeout = configuration.grpc.timeout
    tracing = configuration.otel.enabled
    self.tls = configuration.grpc.tlsCert.map { ($0, configuration.grpc.tlsClientCert, configuration.grpc.tlsClientKey) }
    self.metrics = metrics
  }

  public func servesEmbeddedPlugin(named name: String) -> Bool { embedded[name] != nil }

  public func makeClient(
    for endpoint: PluginEndpoint, label: PluginLabel, onNewConnection: @escaping @Sendable () -> Void
  ) throws -> any PluginClient {
    var interceptors: [any ClientInterceptor] = []
    if tracing { interceptors.append(TracingClientInterceptor(plugin: { label.value })) }
    var counter: StreamedMessageCounter?
    if let metrics {
      interceptors.append(GRPCMetricsInterceptor(metrics: metrics, plugin: label))
      counter = StreamedMessageCounter(metrics: metrics, plugin: label)
    }
    switch endpoint {
    case .tcp(let address):
      let (host, port) = Self.split(address)
      return GRPCPluginClient(
        transport: try HTTP2ClientTransport.Posix(
          target: Self.target(host: host, port: port), transportSecurity: security(verifyHostname: true),
          config: Self.config(onNewConnection: onNewConnection)),
        timeout: timeout, interceptors: interceptors, counter: counter)
    case .unix(let path):
      return GRPCPluginClient(
        transport: try HTTP2ClientTransport.Posix(
          target: .unixDomainSocket(path: path, authority: "localhost"), transportSecurity: security(verifyHostname: false),
          config: Self.config(onNewConnection: onNewConnection)),
        timeout: timeout, interceptors: interceptors, counter: counter)
    case .embedded(let name):
      guard let transport = embedded[name] else { throw PluginCallError(RPCError(code: .unavailable, message: "no embedded plugin \(name)")) }
      return GRPCPluginClient(transport: transport, timeout: timeout, interceptors: interceptors, counter: counter)
    }
  }

  /// Transport defaults, plus a hook on every new connection after the first.
  private static func config(onNewConnection: @escaping @Sendable () -> Void) -> HTTP2ClientTransport.Posix.Config {
    var config = HTTP2ClientTransport.Posix.Config.defaults
    let opened = Mutex(0)
    config.channelDebuggingCallbacks.onCreateTCPConnection = { channel in
      let count = opened.withLock { count in
        count += 1
        return count
      }
      if count > 1 { onNewConnection() }
      return channel.eventLoop.makeSucceededVoidFuture()
    }
    return config
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

  /// `host:port` (`[v6]:port` too, a ``HostPort``) into its parts; an empty host is 127.0.0.1.
  static func split(_ address: String) -> (String, Int?) {
    guard let parsed = try? HostPort(parsing: address) else { return (address, nil) }
    return (parsed.host(or: "127.0.0.1"), parsed.port)
  }
}
