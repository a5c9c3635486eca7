import Foundation

extension ServerConfiguration {
  /// The rules that tie keys together (each key's own type and range are checked as it is
  /// read, from ``keys``): credentials and TLS files come in pairs, a metrics host needs its
  /// port, and TLS files exist and load.
  ///
  /// - Throws: ``ConfigurationError`` naming the keys and where their values came from (the
  ///   file path or the `SYNSE_*` variables).
  func validate(origins: ConfigurationOrigins) throws(ConfigurationError) {
    func fail(_ keys: String..., message: String) -> ConfigurationError {
      ConfigurationError("invalid configuration (\(origins.origin(of: keys))): \(message)")
    }
    if (grpc.tlsClientCert == nil) != (grpc.tlsClientKey == nil) {
      throw fail("grpc.tls.client_cert", "grpc.tls.client_key", message: "'grpc.tls' needs both 'client_cert' and 'client_key'")
    }
    if grpc.tlsClientCert != nil && grpc.tlsCert == nil {
      throw fail("grpc.tls.client_cert", message: "'grpc.tls.client_cert' needs 'grpc.tls.cert' (the CA that signed the plugins' certificates)")
    }
    if (ssl.cert == nil) != (ssl.key == nil) {
      throw fail("ssl.cert", "ssl.key", message: "'ssl' needs both 'cert' and 'key'")
    }
    if ssl.clientCA != nil && ssl.cert == nil {
      throw fail("ssl.client_ca", message: "'ssl.client_ca' needs 'ssl.cert' and 'ssl.key' (client certificates are a TLS feature)")
    }
    if !auth.clientCertificates.entries.isEmpty && ssl.clientCA == nil {
      throw fail("auth.client_certificates", message: "'auth.client_certificates' needs 'ssl.client_ca' (the CA that signs the client certificates) and HTTPS")
    }
    if (metrics.username == nil) != (metrics.password == nil) {
      throw fail("metrics.auth.username", "metrics.auth.password", message: "'metrics.auth' needs both 'username' and 'password'")
    }
    // A separate listener needs an address to bind; without a port `metrics.host` would do
    // nothing, and /metrics would stay on the API port unsaid.
    if metrics.host != nil && metrics.port == nil {
      throw fail("metrics.host", message: "'metrics.host' needs 'metrics.port' (the separate /metrics listener's port)")
    }
    if let file = metrics.webConfigFile {
      // Like node_exporter's --web.config.file, it configures a listener of its own: TLS there
      // must not depend on whether /metrics shares the API port.
      if metrics.port == nil {
        throw fail("metrics.web_config_file", message: "'metrics.web_config_file' needs 'metrics.port' (the separate /metrics listener it configures)")
      }
      if metrics.username != nil || metrics.token != nil {
        throw fail("metrics.web_config_file", "metrics.auth.username", "metrics.auth.token",
                   message: "'metrics.web_config_file' and 'metrics.auth' both protect /metrics: keep one (the file's basic_auth_users)")
      }
      do {
        _ = try WebConfig.load(file)
      } catch {
        throw fail("metrics.web_config_file", message: "metrics.web_config_file: \(error)")
      }
    }
    // The original aborts when the TLS files are missing; say which one.
    for (path, key) in [(ssl.cert, "ssl.cert"), (ssl.key, "ssl.key"), (grpc.tlsCert, "grpc.tls.cert"),
                        (grpc.tlsClientCert, "grpc.tls.client_cert"), (grpc.tlsClientKey, "grpc.tls.client_key"),
                        (ssl.clientCA, "ssl.client_ca")] {
      if let path, !FileManager.default.fileExists(atPath: path) {
        throw fail(key, message: "\(key): no such file: \(path)")
      }
    }
    if let (key, message) = tlsProblem() { throw fail(key, message: "\(key): \(message)") }
  }
}
