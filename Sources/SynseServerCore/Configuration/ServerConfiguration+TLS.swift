import NIOSSL

extension ServerConfiguration {
  /// Loads every TLS file at startup: a file that is not PEM, a key given as a certificate or
  /// a key that does not match its certificate is a configuration error naming the key,
  /// not a listener that "cannot listen" or a plugin that fails to register for ever.
  func tlsProblem() -> (key: String, message: String)? {
    for (certKey, cert, keyKey, key) in [("ssl.cert", ssl.cert, "ssl.key", ssl.key),
                                         ("grpc.tls.client_cert", grpc.tlsClientCert, "grpc.tls.client_key", grpc.tlsClientKey)] {
      guard let cert, let key else { continue }
      guard let chain = try? NIOSSLCertificate.fromPEMFile(cert), !chain.isEmpty else { return (certKey, "no PEM certificate in \(cert)") }
      guard let privateKey = try? NIOSSLPrivateKey(file: key, format: .pem) else { return (keyKey, "no PEM private key in \(key)") }
      do {
        _ = try NIOSSLContext(configuration: .makeServerConfiguration(
          certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey)))
      } catch {
        return (keyKey, "\(key) does not match the certificate in \(cert): \(error)")
      }
    }
    if let ca = ssl.clientCA, (try? NIOSSLCertificate.fromPEMFile(ca))?.isEmpty ?? true {
      return ("ssl.client_ca", "no PEM certificate in \(ca)")
    }
    if let ca = grpc.tlsCert, (try? NIOSSLCertificate.fromPEMFile(ca))?.isEmpty ?? true {
      return ("grpc.tls.cert", "no PEM certificate in \(ca)")
    }
    return nil
  }
}
