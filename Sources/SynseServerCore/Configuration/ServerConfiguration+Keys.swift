extension ServerConfiguration {
  /// Every configuration key, in the README table's order: the one place a key is declared.
  ///
  /// Its type and default come from the field it names; its variable is `SYNSE_` + the dotted
  /// name upper-cased with `.` → `_`. `dumped` keys are the ones the original server's
  /// `/v3/config` lists even when unset, in this order.
  static let keys: [ConfigurationKey] = [
    .init("logging", \.logging, "`debug`, `info`, `warning`, `error`, `critical`", dumped: true),
    .init("pretty_json", \.prettyJSON, "indented JSON responses", dumped: true),
    .init("host", \.http.host, "address the API listens on (`--host` wins)"),
    .init("port", \.http.port, "port the API listens on (`--port` wins)", rule: .port),
    .init("plugin.tcp", \.plugin.tcp,
          "plugin addresses, `host:port` (comma list in the variable); a missing port is a startup error", dumped: true, rule: .tcpAddresses),
    .init("plugin.unix", \.plugin.unix, "plugin socket paths, or names under `/tmp/synse` (comma list)", dumped: true),
    .init("plugin.embedded", \.plugin.embedded,
          "plugins run inside the server: `emulator` (an empty variable means none)", emptyVariable: .none),
    .init("plugin.discover.kubernetes.namespace", \.plugin.kubernetes.namespace,
          "find plugins as the pod addresses of labelled Endpoints (port: the only one, or the one named `http`)"),
    .init("plugin.discover.kubernetes.endpoints.labels", \.plugin.kubernetes.labels, "the labels those Endpoints carry"),
    .init("plugin.discover.kubernetes.credentials", \.plugin.kubernetes.credentials,
          "directory with `token` and `ca.crt` (the in-cluster service account's by default)"),
    .init("cache.device.rebuild_every", \.cache.deviceRebuildEvery, "seconds between device cache rebuilds", dumped: true),
    .init("cache.plugin.refresh_every", \.cache.pluginRefreshEvery, "seconds between plugin refreshes (and discovery)", dumped: true),
    .init("cache.transaction.ttl", \.cache.transactionTTL, "seconds a write transaction is remembered", dumped: true),
    .init("grpc.timeout", \.grpc.timeout, "seconds for every plugin call (streams excepted)", dumped: true),
    .init("grpc.tls.cert", \.grpc.tlsCert, "CA that signed the plugins' certificates: TLS to plugins"),
    .init("grpc.tls.client_cert", \.grpc.tlsClientCert, "the server's certificate for plugins that verify clients (mTLS)"),
    .init("grpc.tls.client_key", \.grpc.tlsClientKey, "its key"),
    .init("ssl.cert", \.ssl.cert, "HTTPS (and WSS) for the API: certificate"),
    .init("ssl.key", \.ssl.key, "its key"),
    .init("ssl.client_ca", \.ssl.clientCA, "CA certificates (PEM) of client certificates: clients may present one (mTLS), which is verified"),
    .init("http.max_body_size", \.http.maxBodySize, "request body limit (413 over it); also the WebSocket message limit", rule: .positive),
    .init("http.header_timeout", \.http.headerTimeout,
          "seconds a client has to send a request's head once connected, and the longest pause in a body (then 408, closed)"),
    .init("http.body_timeout", \.http.bodyTimeout, "seconds a client has to send a whole request body (then the connection is closed)"),
    .init("http.idle_timeout", \.http.idleTimeout, "seconds an idle keep-alive connection is kept"),
    .init("http.max_connections", \.http.maxConnections, "connections served at once (1 to 1000000); more get 503 and are closed",
          rule: .init(expected: "1 to 1000000") { (1...1_000_000).contains($0) }),
    .init("health.enabled", \.health.enabled, "evaluate readings against their thresholds (see [Sensor health](#sensor-health))"),
    .init("health.unknown_after", \.health.unknownAfter, "read intervals without a reading before a sensor is `unknown`", rule: .positive),
    .init("health.rules", \.health.rules, "threshold rules by device, alias, tags or plugin, over what plugins declare; JSON in the variable",
          shownDefault: "none"),
    .init("health.rules_file", \.health.rulesFile, "a YAML file of such rules, applied before `health.rules`"),
    .init("events.journal_size", \.events.journalSize, "events kept for `Last-Event-ID` resumes of `/v3/events` (about 2 KB of memory each: 1,000,000 at most)",
          rule: .init(expected: "1 to 1000000") { (1...1_000_000).contains($0) }),
    .init("events.heartbeat", \.events.heartbeat, "seconds between `/v3/events` heartbeat comments"),
    .init("webhooks", \.webhooks, "destinations events are POSTed to, signed and retried (see [Webhooks](#webhooks)); JSON in the variable",
          shownDefault: "none"),
    .init("auth.tokens_file", \.auth.tokensFile,
          "YAML list of static bearer tokens `{name, sha256, scopes}`: turns authentication on (see [Authentication](#authentication))"),
    .init("auth.jwt.jwks_file", \.auth.jwt.jwksFile, "JSON Web Key Set whose keys sign accepted JWTs: turns authentication on"),
    .init("auth.jwt.public_key_file", \.auth.jwt.publicKeyFile, "or one PEM public key (RSA: RS256; EC: ES256/384/512) or certificate"),
    .init("auth.jwt.issuer", \.auth.jwt.issuer, "the `iss` every JWT must carry (required with a key)"),
    .init("auth.jwt.audience", \.auth.jwt.audience, "a value the `aud` of every JWT must hold (required with a key)"),
    .init("auth.jwt.scopes_claim", \.auth.jwt.scopesClaim, "the claim holding a JWT's scopes: a space-separated string or a list"),
    .init("auth.jwt.leeway", \.auth.jwt.leeway, "seconds of clock skew allowed on `exp` and `nbf` (0 to 3600)",
          rule: .init(expected: "0 to 3600 (seconds)") { (0...3600).contains($0) }),
    .init("auth.client_certificates", \.auth.clientCertificates,
          "verified client certificates `{name, common_name or san, scopes}`: turns authentication on; JSON in the variable", shownDefault: "none"),
    .init("writes.rate_limit", \.writes.rateLimit, "writes a device accepts per second (0: no limit); over it 429", rule: .nonNegative),
    .init("writes.burst", \.writes.burst, "writes a device accepts at once before the rate applies", shownDefault: "the rate", rule: .positive),
    .init("metrics.enabled", \.metrics.enabled, "serve `/metrics` (see [Metrics](#metrics))", dumped: true),
    .init("metrics.ip_label", \.metrics.ipLabel, "label HTTP metrics with the client IP"),
    .init("metrics.readings", \.metrics.readings, "export device readings on each scrape"),
    .init("metrics.readings_timeout", \.metrics.readingsTimeout, "seconds a scrape waits for each plugin's readings"),
    .init("metrics.readings_naming", \.metrics.readingsNaming,
          "`synse`, or `node_exporter`: hwmon readings under node_exporter's names (see [node_exporter names](#node_exporter-names))"),
    .init("metrics.host", \.metrics.host, "a separate listener for `/metrics`"),
    .init("metrics.port", \.metrics.port, "its port", rule: .port),
    .init("metrics.web_config_file", \.metrics.webConfigFile,
          "Prometheus web config file (`tls_server_config`, bcrypt `basic_auth_users`) for the `metrics.port` listener, re-read when it or its certificate changes"),
    .init("metrics.auth.token", \.metrics.token, "bearer token for `/metrics`", secret: true, rule: .credential),
    .init("metrics.auth.username", \.metrics.username, "basic auth for `/metrics`", rule: .credential),
    .init("metrics.auth.password", \.metrics.password, "its password", secret: true, rule: .credential),
    .init("metrics.statsd.address", \.metrics.statsdAddress, "also push metrics to StatsD/DogStatsD at `host:port` (UDP)",
          rule: .dialledHostPort),
    .init("metrics.statsd.prefix", \.metrics.statsdPrefix, "StatsD key prefix", shownDefault: "`synse.<hostname>`"),
    .init("metrics.prefix", \.metrics.prefix, "put before every family name of `/metrics` (`site1_` gives `site1_synse_device_temperature_celsius`), for a Prometheus shared with other servers",
          shownDefault: "none", rule: .metricNamePrefix),
    .init("otel.enabled", \.otel.enabled, "export device readings (`hw.*`), traces and logs over OTLP (see [OpenTelemetry](#opentelemetry))"),
    .init("otel.resource_attributes", \.otel.resourceAttributes,
          "resource attributes that tell this server apart (`{site: dc1, rack: r12}`); `OTEL_RESOURCE_ATTRIBUTES` adds to them and wins on a clash", shownDefault: "none",
          rule: .attributeNames),
  ]

  /// The mappings that hold keys (`plugin`, `metrics.auth`, …), dotted paths split.
  static let sections: [[String]] = {
    var seen: Set<[String]> = []
    return keys.flatMap { key in (1..<key.path.count).map { Array(key.path[..<$0]) } }.filter { seen.insert($0).inserted }
  }()

  /// The tree `/v3/config` starts from: the ``keys`` marked `dumped`, at their defaults.
  static var defaultTree: JSONValue {
    keys.filter(\.dumped).reduce(JSONValue.object([])) { tree, key in
      merge(tree, nested(key.path, key.defaultValue() ?? .null))
    }
  }
}
