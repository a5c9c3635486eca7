import Foundation
extension ServerConfiguration {
  /// Builds the typed configuration from the merged tree, rejecting wrongly typed values.
  init(tree: JSONValue, source: String) throws(ConfigurationError) {
    self.init()
    self.tree = tree
    unknownKeys = Self.unknownKeys(in: tree)
    func value(_ path: [String]) -> JSONValue? {
      var current = tree
      for key in path {
        guard case .object(let pairs) = current, let next = pairs.last(where: { $0.0 == key })?.1 else { return nil }
        current = next
      }
      return current == .null ? nil : current
    }
    func fail(_ path: [String], _ expected: String, _ got: JSONValue) -> ConfigurationError {
      let dotted = path.joined(separator: ".")
      // A password YAML read as a number is still a password: never echo a credential.
      let shown = Self.secretKeys.contains(dotted) ? Self.redactedValue : got.serialized(pretty: false)
      return ConfigurationError("invalid configuration (\(source) and environment): '\(dotted)' must be \(expected), got \(shown)")
    }
    func string(_ path: [String]) throws(ConfigurationError) -> String? {
      guard let found = value(path) else { return nil }
      guard case .string(let text) = found else { throw fail(path, "a string", found) }
      return text
    }
    func bool(_ path: [String]) throws(ConfigurationError) -> Bool? {
      guard let found = value(path) else { return nil }
      switch found {
      case .bool(let flag): return flag
      case .int(let number) where number == 0 || number == 1: return number == 1
      case .string(let text): if let flag = Self.parseBool(text) { return flag }
      default: break
      }
      throw fail(path, "true, false, 1 or 0", found)
    }
    func portNumber(_ path: [String]) throws(ConfigurationError) -> Int? {
      guard let found = value(path) else { return nil }
      guard case .int(let number) = found, (0...65535).contains(number) else { throw fail(path, "a port number 0-65535", found) }
      return Int(number)
    }
    func seconds(_ path: [String], minimum: Int64 = 1) throws(ConfigurationError) -> Duration? {
      guard let found = value(path) else { return nil }
      guard case .int(let number) = found, number >= minimum else { throw fail(path, "an integer number of seconds ≥ \(minimum)", found) }
      return .seconds(number)
    }
    func strings(_ path: [String]) throws(ConfigurationError) -> [String] {
      guard let found = value(path) else { return [] }
      guard case .array(let items) = found else { throw fail(path, "a list of strings", found) }
      var result: [String] = []
      for item in items {
        guard case .string(let text) = item else { throw fail(path, "a list of strings", found) }
        result.append(text)
      }
      return result
    }

    if let level = try string(["logging"]) {
      guard let parsed = LogLevel(rawValue: level) else {
        throw fail(["logging"], "one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))", .string(level))
      }
      logging = parsed
    }
    prettyJSON = try bool(["pretty_json"]) ?? prettyJSON
    host = try string(["host"]) ?? host
    port = try portNumber(["port"]) ?? port
    tcpPlugins = try strings(["plugin", "tcp"])
    for address in tcpPlugins where !PluginEndpoint.isTCPAddress(address) {
      throw fail(["plugin", "tcp"], "a list of host:port addresses (the port is required)", .string(address))
    }
    unixPlugins = try strings(["plugin", "unix"])
    embeddedPlugins = try strings(["plugin", "embedded"])
    deviceRebuildEvery = try seconds(["cache", "device", "rebuild_every"]) ?? deviceRebuildEvery
    pluginRefreshEvery = try seconds(["cache", "plugin", "refresh_every"]) ?? pluginRefreshEvery
    transactionTTL = try seconds(["cache", "transaction", "ttl"]) ?? transactionTTL
    grpcTimeout = try seconds(["grpc", "timeout"]) ?? grpcTimeout
    grpcTLSCert = try string(["grpc", "tls", "cert"])
    grpcTLSClientCert = try string(["grpc", "tls", "client_cert"])
    grpcTLSClientKey = try string(["grpc", "tls", "client_key"])
    if (grpcTLSClientCert == nil) != (grpcTLSClientKey == nil) {
      throw ConfigurationError("invalid configuration (\(source)): 'grpc.tls' needs both 'client_cert' and 'client_key'")
    }
    if grpcTLSClientCert != nil && grpcTLSCert == nil {
      throw ConfigurationError("invalid configuration (\(source)): 'grpc.tls.client_cert' needs 'grpc.tls.cert' (the CA that signed the plugins' certificates)")
    }
    sslCert = try string(["ssl", "cert"])
    sslKey = try string(["ssl", "key"])
    if (sslCert == nil) != (sslKey == nil) {
      throw ConfigurationError("invalid configuration (\(source)): 'ssl' needs both 'cert' and 'key'")
    }
    // The original aborts when the TLS files are missing; say which one.
    for (path, key) in [(sslCert, "ssl.cert"), (sslKey, "ssl.key"), (grpcTLSCert, "grpc.tls.cert"),
                        (grpcTLSClientCert, "grpc.tls.client_cert"), (grpcTLSClientKey, "grpc.tls.client_key")] {
      if let path, !FileManager.default.fileExists(atPath: path) {
        throw ConfigurationError("invalid configuration (\(source)): \(key): no such file: \(path)")
      }
    }
    if let (key, message) = tlsProblem() { throw ConfigurationError("invalid configuration (\(source)): \(key): \(message)") }
    if value(["plugin", "discover", "kubernetes"]) != nil {
      var kubernetes = KubernetesDiscoveryConfiguration()
      kubernetes.namespace = try string(["plugin", "discover", "kubernetes", "namespace"]) ?? kubernetes.namespace
      kubernetes.credentials = try string(["plugin", "discover", "kubernetes", "credentials"]) ?? kubernetes.credentials
      if let labels = value(["plugin", "discover", "kubernetes", "endpoints", "labels"]) {
        guard case .object(let pairs) = labels else { throw fail(["plugin", "discover", "kubernetes", "endpoints", "labels"], "a map of label names to values", labels) }
        for (name, labelValue) in pairs {
          guard case .string(let text) = labelValue else { throw fail(["plugin", "discover", "kubernetes", "endpoints", "labels", name], "a string", labelValue) }
          kubernetes.labels[name] = text
        }
      }
      self.kubernetes = kubernetes
    }
    metricsEnabled = try bool(["metrics", "enabled"]) ?? metricsEnabled
    metrics.ipLabel = try bool(["metrics", "ip_label"]) ?? metrics.ipLabel
    metrics.readings = try bool(["metrics", "readings"]) ?? metrics.readings
    metrics.readingsTimeout = try seconds(["metrics", "readings_timeout"]) ?? metrics.readingsTimeout
    metrics.host = try string(["metrics", "host"])
    metrics.port = try portNumber(["metrics", "port"])
    metrics.username = try string(["metrics", "auth", "username"])
    metrics.password = try string(["metrics", "auth", "password"])
    metrics.token = try string(["metrics", "auth", "token"])
    if (metrics.username == nil) != (metrics.password == nil) {
      throw ConfigurationError("invalid configuration (\(source)): 'metrics.auth' needs both 'username' and 'password'")
    }
    metrics.statsdAddress = try string(["metrics", "statsd", "address"])
    metrics.statsdPrefix = try string(["metrics", "statsd", "prefix"])
    if let size = value(["http", "max_body_size"]) {
      guard case .int(let bytes) = size, bytes > 0 else { throw fail(["http", "max_body_size"], "a positive integer", size) }
      maxBodySize = Int(bytes)
    }
  }
}
