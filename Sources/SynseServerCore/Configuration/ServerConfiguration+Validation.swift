import Foundation

extension ServerConfiguration {
  /// The rules that tie keys together (each key's own type and range are checked as it is
  /// read, from ``keys``): credentials and TLS files come in pairs, and TLS files exist and
  /// load.
  ///
  /// - Throws: ``ConfigurationError`` naming `source` and the keys.
  func validate(source: String) throws(ConfigurationError) {
    func fail(_ message: String) -> ConfigurationError { ConfigurationError("invalid configuration (\(source)): \(message)") }
    if (grpc.tlsClientCert == nil) != (grpc.tlsClientKey == nil) {
      throw fail("'grpc.tls' needs both 'client_cert' and 'client_key'")
    }
    if grpc.tlsClientCert != nil && grpc.tlsCert == nil {
      throw fail("'grpc.tls.client_cert' needs 'grpc.tls.cert' (the CA that signed the plugins' certificates)")
    }
    if (ssl.cert == nil) != (ssl.key == nil) {
      throw fail("'ssl' needs both 'cert' and 'key'")
    }
    if (metrics.username == nil) != (metrics.password == nil) {
      throw fail("'metrics.auth' needs both 'username' and 'password'")
    }
    // The original aborts when the TLS files are missing; say which one.
    for (path, key) in [(ssl.cert, "ssl.cert"), (ssl.key, "ssl.key"), (grpc.tlsCert, "grpc.tls.cert"),
                        (grpc.tlsClientCert, "grpc.tls.client_cert"), (grpc.tlsClientKey, "grpc.tls.client_key")] {
      if let path, !FileManager.default.fileExists(atPath: path) {
        throw fail("\(key): no such file: \(path)")
      }
    }
    if let (key, message) = tlsProblem() { throw fail("\(key): \(message)") }
  }
}
