import Foundation

/// The plugin configuration (Go SDK v3 `config.yml`, docs/plugin-protocol.md §3.1.2): defaults
/// from these initialisers, then the files and `PLUGIN_*` variables (``ConfigLoader``).
///
/// Every key is declared once, with its meaning, in ``keys`` (`PluginConfig+Keys.swift`); a
/// test checks the declarations and their defaults against the Go SDK's table. `network` and
/// `dynamicRegistration.config` are read apart: `network` has no default and its TLS files
/// are checked together.
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
      guard case .list(let items) = dynamic.value else { throw dynamic.error("", "expected a list") }
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
