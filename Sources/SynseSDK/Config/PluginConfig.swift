import Foundation

/// The plugin configuration (Go SDK v3 `config.yml`), keys and defaults as in
/// docs/plugin-protocol.md §3.1.2.
///
/// | key | default |
/// |---|---|
/// | `debug` | false |
/// | `id.usePluginTag` / `useMachineID` / `useEnv` / `useCustom` | true / false / [] / [] |
/// | `settings.mode` | `parallel` |
/// | `settings.read.{disable,interval,delay,queueSize}` | false, 1s, 0s, 128 |
/// | `settings.write.{disable,interval,delay,queueSize,batchSize}` | false, 1s, 0s, 128, 128 |
/// | `settings.transaction.ttl` | 5m |
/// | `settings.limiter.{rate,burst}` | 0, 0 (unlimited) |
/// | `settings.cache.{enabled,ttl}` | false, 3m |
/// | `network.{type,address}` | required: `tcp`/`unix` and an address |
/// | `network.tls.{cert,key,caCerts,skipVerify}` | unset (cert + key: TLS; + caCerts: mTLS; see `transportSecurity`) |
/// | `health.healthFile`, `health.updateInterval`, `health.checks.disableDefaults` | `/etc/synse/plugin/healthy`, 30s, false |
public struct PluginConfig: Sendable, Equatable {
  public enum Mode: String, Sendable { case parallel, serial }

  public struct Identity: Sendable, Equatable {
    public var usePluginTag = true
    public var useMachineID = false
    public var useEnv: [String] = []
    public var useCustom: [String] = []
    public init() {}
  }

  public struct Loop: Sendable, Equatable {
    public var disable = false
    public var interval: Duration = .seconds(1)
    public var delay: Duration = .zero
    public var queueSize = 128
    public var batchSize = 128
    public init() {}
  }

  public struct Network: Sendable, Equatable {
    public enum Kind: String, Sendable { case tcp, unix }
    public var type: Kind
    public var address: String
    public var tlsCert = ""
    public var tlsKey = ""
    public var tlsCACerts: [String] = []
    public var tlsSkipVerify = false
    public init(type: Kind, address: String) {
      self.type = type
      self.address = address
    }
  }

  public struct Health: Sendable, Equatable {
    public var healthFile = "/etc/synse/plugin/healthy"
    public var updateInterval: Duration = .seconds(30)
    public var disableDefaultChecks = false
    public init() {}
  }

  public var version = 0
  public var debug = false
  public var id = Identity()
  public var metricsEnabled = false
  /// Where plugin-side metrics are served (`metrics.address`; the Go SDK uses `:2112`).
  public var metricsAddress = ":2112"
  public var mode = Mode.parallel
  public var read = Loop()
  public var write = Loop()
  public var transactionTTL: Duration = .seconds(300)
  public var limiterRate = 0
  public var limiterBurst = 0
  public var cacheEnabled = false
  public var cacheTTL: Duration = .seconds(180)
  /// `nil` when neither file nor environment set `network`: the plugin cannot serve then.
  public var network: Network?
  public var health = Health()
  /// `dynamicRegistration.config`: one item per call of the plugin's dynamic registrar.
  public var dynamicRegistration: [ConfigValue] = []
  /// `dynamicRegistration.rescanInterval` (an extension of the Go SDK's keys): how often
  /// the registrar runs again; overrides the plugin's own ``Plugin/rescanInterval``.
  public var rescanInterval: Duration?

  public init() {}
}

extension PluginConfig {
  /// Builds the typed configuration from a merged config tree.
  init(tree: ConfigValue, file: String?) throws(ConfigError) {
    self.init()
    let root = ConfigReader(tree, file: file)
    version = try root.int("version") ?? version
    debug = try root.bool("debug") ?? debug
    if let id = root.child("id") {
      self.id.usePluginTag = try id.bool("usePluginTag") ?? true
      self.id.useMachineID = try id.bool("useMachineID") ?? false
      self.id.useEnv = try id.strings("useEnv") ?? []
      self.id.useCustom = try id.strings("useCustom") ?? []
    }
    metricsEnabled = try root.child("metrics")?.bool("enabled") ?? false
    metricsAddress = try root.child("metrics")?.string("address") ?? metricsAddress
    if let settings = root.child("settings") {
      if let text = try settings.string("mode") {
        guard let mode = Mode(rawValue: text.lowercased()) else {
          throw settings.error("mode", "must be 'parallel' or 'serial', got '\(text)'")
        }
        self.mode = mode
      }
      if let read = settings.child("read") { self.read = try Self.loop(read, defaults: self.read) }
      if let write = settings.child("write") { self.write = try Self.loop(write, defaults: self.write) }
      transactionTTL = try settings.child("transaction")?.duration("ttl") ?? transactionTTL
      if let limiter = settings.child("limiter") {
        limiterRate = try limiter.int("rate") ?? 0
        limiterBurst = try limiter.int("burst") ?? 0
      }
      if let cache = settings.child("cache") {
        cacheEnabled = try cache.bool("enabled") ?? false
        cacheTTL = try cache.duration("ttl") ?? cacheTTL
      }
    }
    if let network = root.child("network") { self.network = try Self.network(network) }
    if let dynamic = root.child("dynamicRegistration")?.child("config") {
      guard case .list(let items) = dynamic.value else { throw dynamic.error("", "expected a list") }
      dynamicRegistration = items
    }
    rescanInterval = try root.child("dynamicRegistration")?.duration("rescanInterval")
    if let health = root.child("health") {
      self.health.healthFile = try health.string("healthFile") ?? self.health.healthFile
      self.health.updateInterval = try health.duration("updateInterval") ?? self.health.updateInterval
      self.health.disableDefaultChecks = try health.child("checks")?.bool("disableDefaults") ?? false
    }
  }

  private static func loop(_ reader: ConfigReader, defaults: Loop) throws(ConfigError) -> Loop {
    var loop = defaults
    loop.disable = try reader.bool("disable") ?? loop.disable
    loop.interval = try reader.duration("interval") ?? loop.interval
    loop.delay = try reader.duration("delay") ?? loop.delay
    loop.queueSize = try reader.int("queueSize") ?? loop.queueSize
    loop.batchSize = try reader.int("batchSize") ?? loop.batchSize
    guard loop.queueSize > 0 else { throw reader.error("queueSize", "must be positive") }
    guard loop.batchSize > 0 else { throw reader.error("batchSize", "must be positive") }
    return loop
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
