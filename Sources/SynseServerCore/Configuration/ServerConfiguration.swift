/// The server configuration (docs/api-v3.md §9.2).
///
/// | key | type | default | env |
/// |---|---|---|---|
/// | `logging` | debug/info/warning/error/critical | `debug` | `SYNSE_LOGGING` |
/// | `pretty_json` | bool | `true` | `SYNSE_PRETTY_JSON` |
/// | `host` / `port` | listen address / port (`--host`/`--port` win) | `0.0.0.0` / 5000 | `SYNSE_HOST` / `SYNSE_PORT` |
/// | `plugin.tcp` / `plugin.unix` | list of addresses | `[]` | `SYNSE_PLUGIN_TCP` / `SYNSE_PLUGIN_UNIX` (comma lists) |
/// | `plugin.embedded` | list of embedded plugin names | `[]` | `SYNSE_PLUGIN_EMBEDDED` |
/// | `cache.device.rebuild_every` | int seconds | 180 | `SYNSE_CACHE_DEVICE_REBUILD_EVERY` |
/// | `cache.plugin.refresh_every` | int seconds | 120 | `SYNSE_CACHE_PLUGIN_REFRESH_EVERY` |
/// | `cache.transaction.ttl` | int seconds | 300 | `SYNSE_CACHE_TRANSACTION_TTL` |
/// | `grpc.timeout` | int seconds | 3 | `SYNSE_GRPC_TIMEOUT` |
/// | `grpc.tls.cert` | path | unset | `SYNSE_GRPC_TLS_CERT` |
/// | `grpc.tls.client_cert` / `grpc.tls.client_key` | paths (mTLS to plugins) | unset | `SYNSE_GRPC_TLS_CLIENT_CERT` / `_KEY` |
/// | `ssl.cert` / `ssl.key` | path | unset | `SYNSE_SSL_CERT` / `SYNSE_SSL_KEY` |
/// | `plugin.discover.kubernetes.namespace` | string | `default` | `SYNSE_PLUGIN_DISCOVER_KUBERNETES_NAMESPACE` |
/// | `plugin.discover.kubernetes.endpoints.labels` | map | `{}` | `SYNSE_PLUGIN_DISCOVER_KUBERNETES_ENDPOINTS_LABELS_<NAME>` |
/// | `plugin.discover.kubernetes.credentials` | directory | the in-cluster service account | `SYNSE_PLUGIN_DISCOVER_KUBERNETES_CREDENTIALS` |
/// | `metrics.enabled` | bool | false | `SYNSE_METRICS_ENABLED` |
/// | `metrics.ip_label` | bool | false | `SYNSE_METRICS_IP_LABEL` |
/// | `metrics.readings` | bool | true | `SYNSE_METRICS_READINGS` |
/// | `metrics.readings_timeout` | int seconds | 2 | `SYNSE_METRICS_READINGS_TIMEOUT` |
/// | `metrics.host` / `metrics.port` | address / port | unset: on the API port | `SYNSE_METRICS_HOST` / `SYNSE_METRICS_PORT` |
/// | `metrics.auth.username` / `.password` | basic auth for `/metrics` | unset | `SYNSE_METRICS_AUTH_USERNAME` / `_PASSWORD` |
/// | `metrics.auth.token` | bearer token for `/metrics` | unset | `SYNSE_METRICS_AUTH_TOKEN` |
/// | `metrics.statsd.address` | `host:port` (UDP) | unset | `SYNSE_METRICS_STATSD_ADDRESS` |
/// | `metrics.statsd.prefix` | key prefix | `synse.<hostname>` | `SYNSE_METRICS_STATSD_PREFIX` |
/// | `http.max_body_size` | int bytes | 1048576 | `SYNSE_HTTP_MAX_BODY_SIZE` |
public struct ServerConfiguration: Sendable {
  public enum LogLevel: String, Sendable, CaseIterable {
    case debug, info, warning, error, critical
  }

  public var logging = LogLevel.debug
  public var prettyJSON = true
  /// The API listener; the `--host`/`--port` flags win over both.
  public var host = "0.0.0.0"
  public var port = 5000
  public var tcpPlugins: [String] = []
  public var unixPlugins: [String] = []
  /// Plugins run inside the server process, by name (`emulator`).
  public var embeddedPlugins: [String] = []
  public var deviceRebuildEvery: Duration = .seconds(180)
  public var pluginRefreshEvery: Duration = .seconds(120)
  public var transactionTTL: Duration = .seconds(300)
  public var grpcTimeout: Duration = .seconds(3)
  public var grpcTLSCert: String?
  /// `plugin.discover.kubernetes`, when configured.
  public var kubernetes: KubernetesDiscoveryConfiguration?
  /// The certificate and key the server presents to plugins that verify clients (mTLS).
  public var grpcTLSClientCert: String?
  public var grpcTLSClientKey: String?
  public var sslCert: String?
  public var sslKey: String?
  public var metricsEnabled = false
  public var metrics = MetricsOptions()
  public var maxBodySize = 1_048_576
  /// The merged configuration tree, for `/v3/config` (unknown keys included).
  public var tree: JSONValue = .object([])
  /// Keys of the file that nothing reads, dotted (logged as a warning at startup).
  public var unknownKeys: [String] = []

  public init() {}
}

/// The `metrics.*` options beyond `enabled`.
public struct MetricsOptions: Sendable, Equatable {
  /// Label HTTP metrics with the client IP (off: one series per client is unbounded).
  public var ipLabel = false
  /// Export every device's current reading on each scrape.
  public var readings = true
  public var readingsTimeout: Duration = .seconds(2)
  /// A separate listener for `/metrics`; nil serves it on the API port.
  public var host: String?
  public var port: Int?
  public var username: String?
  public var password: String?
  public var token: String?
  public var statsdAddress: String?
  public var statsdPrefix: String?

  public init() {}
}

extension ServerConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
  /// Keys whose values are credentials: shown as ``redactedValue`` in `/v3/config` and in
  /// every printed form of the configuration (service descriptions in startup logs).
  public static let secretKeys: Set<String> = ["metrics.auth.password", "metrics.auth.token"]
  public static let redactedValue = "<redacted>"

  /// `tree` with every ``secretKeys`` value that is set replaced by ``redactedValue``.
  public static func redacted(_ tree: JSONValue, path: [String] = []) -> JSONValue {
    guard case .object(let pairs) = tree else {
      return secretKeys.contains(path.joined(separator: ".")) && tree != .null ? .string(redactedValue) : tree
    }
    return .object(pairs.map { key, value in (key, redacted(value, path: path + [key])) })
  }

  public var description: String { "ServerConfiguration(\(Self.redacted(tree).serialized(pretty: false)))" }
  public var debugDescription: String { description }
}

extension MetricsOptions: CustomStringConvertible, CustomDebugStringConvertible {
  public var description: String {
    let hidden = { (value: String?) in value == nil ? "nil" : ServerConfiguration.redactedValue }
    return "MetricsOptions(ipLabel: \(ipLabel), readings: \(readings), readingsTimeout: \(readingsTimeout), host: \(host ?? "nil"), "
      + "port: \(port.map(String.init) ?? "nil"), username: \(username ?? "nil"), password: \(hidden(password)), token: \(hidden(token)), "
      + "statsdAddress: \(statsdAddress ?? "nil"), statsdPrefix: \(statsdPrefix ?? "nil"))"
  }
  public var debugDescription: String { description }
}
