import Foundation

/// The plugin configuration (Go SDK v3 `config.yml`, docs/plugin-protocol.md §3.1.2): defaults
/// from these initialisers, then the files and `PLUGIN_*` variables (``ConfigLoader``).
///
/// Every key is declared once, with its meaning, in ``keys`` (`PluginConfig+Keys.swift`); a
/// test checks the declarations and their defaults against the Go SDK's table. `network` and
/// `dynamicRegistration.config` are read apart: `network` has no default and its TLS files
/// are checked together.
///
/// Durations are Go duration strings in YAML and `PLUGIN_*` values (`500ms`, `2m30s`; a bare
/// integer is nanoseconds, as in Go). A wrong type or value throws ``ConfigError`` naming the
/// file and the dotted key.
public struct PluginConfig: Sendable, Equatable {
  /// `settings.mode` (case-insensitive; anything else is ``ConfigError/Code/invalidValue``).
  public enum Mode: String, Sendable {
    /// Reads and writes run concurrently (the default).
    case parallel
    /// One plugin-wide lock so no read or write overlaps another, for buses that take one
    /// transaction at a time.
    case serial
  }

  /// `id.*`: the parts of the plugin ID (§2.2). The plugin ID namespaces every device ID
  /// (§2.3), so changing any of these changes all of them.
  public struct Identity: Sendable, Equatable {
    /// `id.usePluginTag`, bool, default `true`: include the plugin tag (§2.1).
    public var usePluginTag = true
    /// `id.useMachineID`, bool, default `false`: include an HMAC of the host's machine-id, so
    /// the same plugin on two hosts gets distinct IDs; an unreadable machine-id stops startup.
    public var useMachineID = false
    /// `id.useEnv`, list of strings, default `[]`: variable names whose values are included;
    /// an unset one is ``ConfigError/Code/missingValue``.
    public var useEnv: [String] = []
    /// `id.useCustom`, list of strings, default `[]`: literal strings included.
    public var useCustom: [String] = []
    /// The Go SDK's defaults.
    public init() {}
  }

  /// `settings.read.*` or `settings.write.*`: one scheduling loop.
  public struct Loop: Sendable, Equatable {
    /// `disable`, bool, default `false`: do not run the loop. With writes disabled, writes are
    /// refused (the Go SDK would queue them for ever).
    public var disable = false
    /// `interval`, Go duration, default `1s`: sleep after each whole pass.
    public var interval: Duration = .seconds(1)
    /// `delay`, Go duration, default `0s`: sleep after each device read or write, to pace a
    /// slow bus.
    public var delay: Duration = .zero
    /// `queueSize`, positive int, default `128`. Write: how many writes may wait before
    /// `WriteAsync`/`WriteSync` answer `RESOURCE_EXHAUSTED`. Read: only the capacity of the
    /// `read queue health` check, since readings are stored without a queue here.
    public var queueSize = 128
    /// `batchSize` (write only), positive int, default `128`: most writes taken from the queue and not yet finished.
    public var batchSize = 128
    /// The Go SDK's defaults.
    public init() {}
  }

  /// `network.*`: where the plugin serves gRPC; no default (§3.1.2). `tls.*` files are checked
  /// at load time so a bad one stops startup rather than failing the first handshake.
  public struct Network: Sendable, Equatable {
    /// `network.type`: `tcp` or `unix` (case-insensitive).
    public enum Kind: String, Sendable {
      /// Listen on a `host:port` address.
      case tcp
      /// Listen on a Unix socket.
      case unix
    }
    /// `network.type`; missing is ``ConfigError/Code/missingValue``.
    public var type: Kind
    /// `network.address`: `host:port` for TCP (`:5001` is every interface); for Unix a socket
    /// name placed in `/tmp/synse`, or an absolute path (``PluginAddress``).
    public var address: String
    /// `network.tls.cert`, PEM file, default `""`: with ``tlsKey``, turns TLS on.
    public var tlsCert = ""
    /// `network.tls.key`, PEM file, default `""`: required together with ``tlsCert``.
    public var tlsKey = ""
    /// `network.tls.caCerts`, list of PEM files, default `[]`: naming any asks clients for a
    /// certificate verified against them (mTLS; §3.1.3 and `PluginConfig+TLS.swift`).
    public var tlsCACerts: [String] = []
    /// `network.tls.skipVerify`, bool, default `false`: never ask clients for a certificate.
    public var tlsSkipVerify = false
    /// Creates a plaintext network setting.
    public init(type: Kind, address: String) {
      self.type = type
      self.address = address
    }
  }

  /// `health.*` (§4.6).
  public struct Health: Sendable, Equatable {
    /// `health.healthFile`, path, default `/etc/synse/plugin/healthy`: holds `ok` while every
    /// check passes and is removed otherwise, for container liveness probes; `""` disables
    /// it, as does a directory that cannot be created (logged; the Go SDK stops instead).
    public var healthFile = "/etc/synse/plugin/healthy"
    /// `health.updateInterval`, Go duration, default `30s`: how often the file is rewritten.
    public var updateInterval: Duration = .seconds(30)
    /// `health.checks.disableDefaults`, bool, default `false`: drop the `read queue health`
    /// and `write queue health` checks.
    public var disableDefaultChecks = false
    /// The Go SDK's defaults.
    public init() {}
  }

  /// `version`, int, default `0`: the schema version (`3` in practice); not validated.
  public var version = 0
  /// `debug`, bool, default `false`: read but not applied; logging is bootstrapped before the
  /// config is loaded, so the level comes from the `--debug` flag.
  public var debug = false
  /// `id.*`: what the plugin ID is made of.
  public var id = Identity()
  /// `otel.enabled`, bool, default `false` (`PLUGIN_OTEL_ENABLED`; an extension): traces (a
  /// span per RPC, continuing the server's trace, and per handler call), logs and the plugin's
  /// metrics to an OTLP endpoint, configured by the standard `OTEL_*` variables.
  public var otelEnabled = false
  /// `metrics.enabled`, bool, default `false`: serve Prometheus metrics at ``metricsAddress``.
  public var metricsEnabled = false
  /// `metrics.address`, `host:port`, default `:2112` (every interface): where metrics are
  /// served; an extension, the Go SDK's port is fixed.
  public var metricsAddress = ":2112"
  /// `settings.mode`, default `parallel`.
  public var mode = Mode.parallel
  /// `settings.read.*`: the read loop.
  public var read = Loop()
  /// `settings.write.*`: the write loop.
  public var write = Loop()
  /// `settings.transaction.ttl`, Go duration, default `5m`: how long a transaction stays
  /// visible, counted from its creation, not its last update.
  public var transactionTTL: Duration = .seconds(300)
  /// `settings.limiter.rate`, int, default `0`: tokens per second shared by reads and writes,
  /// for devices that refuse bursts; `0` with burst `0` is unlimited.
  public var limiterRate = 0
  /// `settings.limiter.burst`, int, default `0`: bucket size (at least 1 when rate > 0).
  public var limiterBurst = 0
  /// `settings.cache.enabled`, bool, default `false`: keep past readings for `ReadCache`;
  /// off, `ReadCache` returns the current readings.
  public var cacheEnabled = false
  /// `settings.cache.ttl`, Go duration, default `3m`: how long cached readings are kept.
  public var cacheTTL: Duration = .seconds(180)
  /// `network.*`; `nil` when neither file nor environment set it: unless socket-activated,
  /// `run` then stops with ``ConfigError/Code/missingValue`` at `network`.
  public var network: Network?
  /// `health.*`.
  public var health = Health()
  /// `dynamicRegistration.config`: one item per call of the plugin's dynamic registrar.
  public var dynamicRegistration: [ConfigValue] = []
  /// `dynamicRegistration.rescanInterval`, Go duration, default none (an extension of the Go
  /// SDK's keys): how often the registrar runs again; overrides the plugin's own
  /// ``Plugin/rescanInterval``.
  public var rescanInterval: Duration?

  /// The Go SDK's defaults, without `network`.
  public init() {}
}

extension PluginConfig {
  /// Builds the typed configuration from a merged config tree: each key of ``keys`` the tree
  /// sets replaces its default.
  ///
  /// - Throws: ``ConfigError`` naming the file and the key.
  init(tree: ConfigValue, file: String?) throws(ConfigError) {
    self.init()
    let root = ConfigReader(tree, file: file)
    for key in Self.keys { try key.apply(root, &self) }
    if let network = root.child("network") { self.network = try Self.network(network) }
    if let dynamic = root.child("dynamicRegistration")?.child("config") {
      guard case .list(let items) = dynamic.value else { throw dynamic.error("", "expected a list (one item per device source, each starting with '- ')") }
      dynamicRegistration = items
    }
  }

  private static func network(_ reader: ConfigReader) throws(ConfigError) -> Network {
    guard let typeText = try reader.string("type") else {
      throw ConfigError(.missingValue, file: reader.file, key: "network.type", message: "must be 'tcp' or 'unix'")
    }
    guard let kind = Network.Kind(rawValue: typeText.lowercased()) else {
      throw reader.error("type", "must be 'tcp' or 'unix', got '\(typeText)'")
    }
    guard let address = try reader.string("address"), !address.isEmpty else {
      throw ConfigError(.missingValue, file: reader.file, key: "network.address", message: "a listen address is required")
    }
    var network = Network(type: kind, address: address)
    if let tls = reader.child("tls") {
      // `tls: 5` must not quietly mean plaintext.
      guard case .map = tls.value else { throw reader.error("tls", "must be a mapping of cert, key, caCerts and skipVerify") }
      network.tlsCert = try tls.string("cert") ?? ""
      network.tlsKey = try tls.string("key") ?? ""
      network.tlsCACerts = try tls.strings("caCerts") ?? []
      network.tlsSkipVerify = try tls.bool("skipVerify") ?? false
      if network.tlsCert.isEmpty != network.tlsKey.isEmpty {
        throw tls.error(network.tlsCert.isEmpty ? "cert" : "key", "TLS needs both 'cert' and 'key'")
      }
      // A missing file would otherwise surface only as a handshake failure at the first client.
      for (key, path) in [("cert", network.tlsCert), ("key", network.tlsKey)] + network.tlsCACerts.map({ ("caCerts", $0) })
      where !path.isEmpty && !FileManager.default.fileExists(atPath: path) {
        throw tls.error(key, "no such file: \(path)")
      }
      if let (key, problem) = TLSFiles.problem(cert: network.tlsCert, key: network.tlsKey, caCerts: network.tlsCACerts) {
        throw tls.error(key, problem)
      }
    }
    return network
  }
}
