extension ServerConfiguration {
  // Flat names for the nested fields, kept for the consumers that read them (registry,
  // maintenance, application builder, command line).

  /// `host` (`--host` wins).
  public var host: String { get { http.host } set { http.host = newValue } }
  /// `port` (`--port` wins).
  public var port: Int { get { http.port } set { http.port = newValue } }
  /// `http.max_body_size`, bytes.
  public var maxBodySize: Int { get { http.maxBodySize } set { http.maxBodySize = newValue } }
  /// `plugin.tcp`.
  public var tcpPlugins: [String] { get { plugin.tcp } set { plugin.tcp = newValue } }
  /// `plugin.unix`.
  public var unixPlugins: [String] { get { plugin.unix } set { plugin.unix = newValue } }
  /// `plugin.embedded`.
  public var embeddedPlugins: [String] { get { plugin.embedded } set { plugin.embedded = newValue } }
  /// `plugin.discover.kubernetes`, nil when the configuration does not name it.
  public var kubernetes: KubernetesDiscoveryConfiguration? {
    get { plugin.discoverKubernetes ? plugin.kubernetes : nil }
    set {
      plugin.discoverKubernetes = newValue != nil
      plugin.kubernetes = newValue ?? KubernetesDiscoveryConfiguration()
    }
  }
  /// `cache.device.rebuild_every`.
  public var deviceRebuildEvery: Duration { get { cache.deviceRebuildEvery } set { cache.deviceRebuildEvery = newValue } }
  /// `cache.plugin.refresh_every`.
  public var pluginRefreshEvery: Duration { get { cache.pluginRefreshEvery } set { cache.pluginRefreshEvery = newValue } }
  /// `cache.transaction.ttl`.
  public var transactionTTL: Duration { get { cache.transactionTTL } set { cache.transactionTTL = newValue } }
  /// `grpc.timeout`.
  public var grpcTimeout: Duration { get { grpc.timeout } set { grpc.timeout = newValue } }
  /// `grpc.tls.cert`, a PEM path.
  public var grpcTLSCert: String? { get { grpc.tlsCert } set { grpc.tlsCert = newValue } }
  /// `grpc.tls.client_cert`, a PEM path.
  public var grpcTLSClientCert: String? { get { grpc.tlsClientCert } set { grpc.tlsClientCert = newValue } }
  /// `grpc.tls.client_key`, a PEM path.
  public var grpcTLSClientKey: String? { get { grpc.tlsClientKey } set { grpc.tlsClientKey = newValue } }
  /// `ssl.cert`, a PEM path.
  public var sslCert: String? { get { ssl.cert } set { ssl.cert = newValue } }
  /// `ssl.key`, a PEM path.
  public var sslKey: String? { get { ssl.key } set { ssl.key = newValue } }
  /// `metrics.enabled`.
  public var metricsEnabled: Bool { get { metrics.enabled } set { metrics.enabled = newValue } }
}
