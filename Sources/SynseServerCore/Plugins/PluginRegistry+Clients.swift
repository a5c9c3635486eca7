import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import Synchronization

extension PluginEndpoint {
  var isEmbedded: Bool {
    if case .embedded = self { return true }
    return false
  }
}

extension PluginRegistry {
  /// A client for `endpoint`, its connections run by ``PluginConnections``. TCP and Unix
  /// endpoints get a new client (a new connection, free of the old one's backoff) each time;
  /// an embedded plugin keeps its one in-process client. A client that opens a second
  /// connection (its plugin restarted, maybe as another plugin) has its identity checked.
  func makeClient(for endpoint: PluginEndpoint) throws -> any PluginClient {
    if case .embedded(let name) = endpoint, let existing = embeddedClients[name] { return existing }
    var interceptors: [any ClientInterceptor] = []
    var counter: StreamedMessageCounter?
    if let metrics {
      let label = labels[endpoint] ?? PluginLabel()
      labels[endpoint] = label
      interceptors.append(GRPCMetricsInterceptor(metrics: metrics, plugin: label))
      counter = StreamedMessageCounter(metrics: metrics, plugin: label)
    }
    let client: any PluginClient
    switch endpoint {
    case .tcp(let address):
      let (host, port) = Self.split(address)
      client = GRPCPluginClient(
        transport: try HTTP2ClientTransport.Posix(
          target: Self.target(host: host, port: port), transportSecurity: security(verifyHostname: true), config: config(for: endpoint)),
        timeout: timeout, interceptors: interceptors, counter: counter)
    case .unix(let path):
      client = GRPCPluginClient(
        transport: try HTTP2ClientTransport.Posix(
          target: .unixDomainSocket(path: path, authority: "localhost"), transportSecurity: security(verifyHostname: false),
          config: config(for: endpoint)),
        timeout: timeout, interceptors: interceptors, counter: counter)
    case .embedded(let name):
      guard let transport = embedded[name] else { throw PluginCallError(RPCError(code: .unavailable, message: "no embedded plugin \(name)")) }
      client = GRPCPluginClient(transport: transport, timeout: timeout, interceptors: interceptors, counter: counter)
      embeddedClients[name] = client
    }
    connections.start(client)
    return client
  }

  /// Transport defaults, plus a hook on every new connection after the first.
  private func config(for endpoint: PluginEndpoint) -> HTTP2ClientTransport.Posix.Config {
    var config = HTTP2ClientTransport.Posix.Config.defaults
    let opened = Mutex(0)
    config.channelDebuggingCallbacks.onCreateTCPConnection = { [weak self] channel in
      let count = opened.withLock { count in
        count += 1
        return count
      }
      if count > 1, let self { Task { await self.checkIdentity(endpoint) } }
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

  /// `host:port` (`[v6]:port` too) into its parts; an empty host is 127.0.0.1.
  static func split(_ address: String) -> (String, Int?) {
    guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else { return (address, nil) }
    var host = String(address[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return (host.isEmpty ? "127.0.0.1" : host, port)
  }
}
