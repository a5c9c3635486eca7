/// The server configuration (docs/api-v3.md §9.2): defaults from these initialisers, then the YAML
/// file, then `SYNSE_*` variables (``load(path:environment:)``).
///
/// Every key, its variable, type, default and meaning is declared once, in ``keys``
/// (`ServerConfiguration+Keys.swift`); the README's table is checked against it by a test.
/// Consumers read the nested sections or the flat accessors of
/// `ServerConfiguration+Accessors.swift`.
public struct ServerConfiguration: Sendable {
  public enum LogLevel: String, Sendable, CaseIterable {
    case debug, info, warning, error, critical
  }

  /// The API listener (`host`, `port`; the `--host`/`--port` flags win) and its limits (`http.*`).
  public struct HTTP: Sendable, Equatable {
    public var host = "0.0.0.0"
    public var port = 5000
    /// Request body limit in bytes (413 over it); also the WebSocket message limit.
    public var maxBodySize = 1_048_576
    /// Time a client has to send a request's head once connected (TLS handshake included), and
    /// the longest pause allowed while it sends a body; then the connection is closed (408).
    public var headerTimeout: Duration = .seconds(10)
    /// Time a client has to send a whole request body once it started (1 MiB at 17 KiB/s).
    public var bodyTimeout: Duration = .seconds(60)
    /// Time an idle keep-alive connection is kept between requests.
    public var idleTimeout: Duration = .seconds(60)
    /// Connections served at once; more are answered 503 and closed.
    public var maxConnections = 4096
    public init() {}
  }

  /// `plugin.*`: where the plugins are.
  public struct Plugin: Sendable, Equatable {
    /// `host:port` addresses.
    public var tcp: [String] = []
    /// Socket paths, or names under `/tmp/synse`.
    public var unix: [String] = []
    /// Plugins run inside the server process, by name (`emulator`).
    public var embedded: [String] = []
    /// `plugin.discover.kubernetes`; used only when ``discoverKubernetes`` is set.
    public var kubernetes = KubernetesDiscoveryConfiguration()
    /// Whether the configuration names `plugin.discover.kubernetes` at all.
    public var discoverKubernetes = false
    public init() {}
  }

  /// `cache.*`: how often the caches are rebuilt and how long transactions live.
  public struct Cache: Sendable, Equatable {
    public var deviceRebuildEvery: Duration = .seconds(180)
    public var pluginRefreshEvery: Duration = .seconds(120)
    public var transactionTTL: Duration = .seconds(300)
    public init() {}
  }

  /// `grpc.*`: calls to plugins.
  public struct GRPC: Sendable, Equatable {
    /// Deadline of every plugin call (streams excepted).
    public var timeout: Duration = .seconds(3)
    /// The CA that signed the plugins' certificates (PEM path): TLS to plugins.
    public var tlsCert: String?
    /// The certificate and key the server presents to plugins that verify clients (mTLS).
    public var tlsClientCert: String?
    public var tlsClientKey: String?
    public init() {}
  }

  /// `ssl.*`: HTTPS (and WSS) for the API, PEM paths.
  public struct SSL: Sendable, Equatable {
    public var cert: String?
    public var key: String?
    /// CA certificates (PEM) whose client certificates are verified when a client presents one (mTLS).
    public var clientCA: String?
    public init() {}
  }

  /// `health.*`: sensor health evaluation (docs/health.md).
  public struct Health: Sendable, Equatable {
    /// Evaluate readings against their thresholds at all.
    public var enabled = true
    /// Read intervals without a reading before a sensor is `unknown`.
    public var unknownAfter = 3
    /// Threshold rules over what plugins declare, in order.
    public var rules = HealthRules()
    /// A YAML file of rules, applied before ``rules``.
    public var rulesFile: String?
    /// The rules read from ``rulesFile`` at load.
    public var fileRules = HealthRules()
    public init() {}
  }

  /// `events.*`: the event feed of `/v3/events`, WebSocket event streams and webhooks.
  public struct Events: Sendable, Equatable {
    /// How many events the journal keeps for `Last-Event-ID` resumes.
    public var journalSize = 10_000
    /// Time between SSE heartbeat comments.
    public var heartbeat: Duration = .seconds(15)
    public init() {}
  }

  /// `auth.*`: who may use the API (docs/auth.md).
  public struct Auth: Sendable, Equatable {
    /// A YAML file of static bearer tokens (``StaticTokens``).
    public var tokensFile: String?
    /// The tokens read from ``tokensFile`` at load.
    public var tokens = StaticTokens()
    public var jwt = JWTSettings()
    /// Verified TLS client certificates and their scopes (needs `ssl.client_ca`).
    public var clientCertificates = ClientCertificates()
    public init() {}
  }

  /// `otel.*`: OpenTelemetry export over OTLP (README "OpenTelemetry"); endpoint, protocol,
  /// sampler and intervals come from the standard `OTEL_*` variables.
  public struct OTel: Sendable, Equatable {
    /// Export metrics (device readings as `hw.*`), traces and logs.
    public var enabled = false
    /// Resource attributes telling this server apart at a gateway (`site`, `rack`, …).
    public var resourceAttributes: [String: String] = [:]
    public init() {}
  }

  /// `writes.*`: limits on device writes, whoever sends them.
  public struct Writes: Sendable, Equatable {
    /// Writes a device accepts per second (0: no limit); over it a write gets 429.
    public var rateLimit = 0
    /// Writes a device accepts at once before the rate applies (nil: the rate, at least 1).
    public var burst: Int?
    public init() {}
  }

  public var logging = LogLevel.debug
  public var prettyJSON = true
  public var http = HTTP()
  public var plugin = Plugin()
  public var cache = Cache()
  public var grpc = GRPC()
  public var ssl = SSL()
  public var metrics = MetricsOptions()
  public var events = Events()
  public var health = Health()
  public var auth = Auth()
  public var writes = Writes()
  public var otel = OTel()
  /// `webhooks`: where events are POSTed (docs/health.md "Webhooks").
  public var webhooks = WebhookDestinations()
  /// The merged configuration tree, for `/v3/config` (unknown keys included).
  public var tree: JSONValue = .object([])
  /// Dotted keys of the file that nothing reads (``unknownKeyWarnings`` logs them at startup).
  public var unknownKeys: [String] = []
  /// `SYNSE_*` variables that no key declares (`SYNSE_PORTT`).
  public var unknownVariables: [String] = []
  /// The config file read, if any.
  public var configFile: String?

  public init() {}
}

/// `metrics.*`.
public struct MetricsOptions: Sendable, Equatable {
  /// Serve `/metrics`.
  public var enabled = false
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
  /// nil: `synse.<hostname>`, computed where StatsD is set up.
  public var statsdPrefix: String?
  /// Put before every family name of `/metrics` (empty: the names as documented).
  public var prefix = ""
  /// A Prometheus exporter-toolkit web config file (TLS, basic auth users) for the separate
  /// `/metrics` listener (``WebConfig``).
  public var webConfigFile: String?
  /// Series names of exported readings.
  public var readingsNaming = ReadingsNaming.synse

  public enum ReadingsNaming: String, Sendable, CaseIterable {
    /// `synse_device_<type>_<unit>` for every reading.
    case synse
    /// node_exporter's hwmon collector names (`node_hwmon_temp_celsius{chip, sensor}`) for
    /// readings of hwmon devices; `synse_device_*` for the rest.
    case nodeExporter = "node_exporter"
  }

  public init() {}
}

extension ServerConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
  /// Keys whose values are credentials: shown as ``redactedValue`` in `/v3/config` and in
  /// every printed form of the configuration (service descriptions in startup logs).
  /// Fields of list entries count too (`webhooks.secret`: every entry's `secret`).
  public static let secretKeys: Set<String> = Set(keys.filter(\.secret).map(\.dotted) + keys.flatMap(\.secretFields))
  public static let redactedValue = "<redacted>"

  /// `tree` with every ``secretKeys`` value that is set replaced by ``redactedValue``.
  /// List entries have their list's path, so `webhooks.secret` is each entry's `secret`.
  public static func redacted(_ tree: JSONValue, path: [String] = []) -> JSONValue {
    if secretKeys.contains(path.joined(separator: ".")) && tree != .null { return .string(redactedValue) }
    switch tree {
    case .object(let pairs): return .object(pairs.map { key, value in (key, redacted(value, path: path + [key])) })
    case .array(let items): return .array(items.map { redacted($0, path: path) })
    default: return tree
    }
  }

  public var description: String { "ServerConfiguration(\(Self.redacted(tree).serialized(pretty: false)))" }
  public var debugDescription: String { description }
}

extension MetricsOptions: CustomStringConvertible, CustomDebugStringConvertible {
  public var description: String {
    let hidden = { (value: String?) in value == nil ? "nil" : ServerConfiguration.redactedValue }
    return "MetricsOptions(enabled: \(enabled), ipLabel: \(ipLabel), readings: \(readings), readingsTimeout: \(readingsTimeout), host: \(host ?? "nil"), "
      + "port: \(port.map(String.init) ?? "nil"), username: \(username ?? "nil"), password: \(hidden(password)), token: \(hidden(token)), "
      + "statsdAddress: \(statsdAddress ?? "nil"), statsdPrefix: \(statsdPrefix ?? "nil"), prefix: \(prefix), webConfigFile: \(webConfigFile ?? "nil"), readingsNaming: \(readingsNaming.rawValue))"
  }
  public var debugDescription: String { description }
}
