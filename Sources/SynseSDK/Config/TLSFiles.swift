import NIOSSL

/// Loads the TLS files of `network.tls` once at startup, so that a file that is not PEM, a
/// key given as the certificate or a key that does not match its certificate stops the plugin
/// naming the key, instead of failing later as "no listening address bound".
enum TLSFiles {
  /// The first problem as (key, message), or nil when every file loads and the pair matches.
  static func problem(cert: String, key: String, caCerts: [String]) -> (String, String)? {
    guard !cert.isEmpty, !key.isEmpty else { return nil }
    let chain: [NIOSSLCertificate]
    do {
      chain = try NIOSSLCertificate.fromPEMFile(cert)
      guard !chain.isEmpty else { return ("cert", "no PEM certificate in \(cert)") }
    } catch {
      return ("cert", "cannot load a PEM certificate from \(cert): \(error)")
    }
    let privateKey: NIOSSLPrivateKey
    do {
      privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
    } catch {
      return ("key", "cannot load a PEM private key from \(key): \(error)")
    }
    do {
      _ = try NIOSSLContext(configuration: .makeServerConfiguration(
        certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey)))
    } catch {
      return ("key", "\(key) does not match the certificate in \(cert): \(error)")
    }
    for path in caCerts {
      guard let certificates = try? NIOSSLCertificate.fromPEMFile(path), !certificates.isEmpty else {
        return ("caCerts", "no PEM certificate in \(path)")
      }
    }
    return nil
  }
}
