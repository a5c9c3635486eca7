import GRPCNIOTransportHTTP2

extension PluginConfig.Network {
  /// TLS for the plugin's gRPC server (docs/plugin-protocol.md §3.1.3), on when `cert` or `key` is set.
  ///
  /// - `cert` + `key` alone: server-only TLS, what the Python `synse-grpc` client and Synse
  ///   Server's `grpc.tls.cert` speak.
  /// - `caCerts` as well: mutual TLS, clients must present a certificate that verifies
  ///   against those CAs.
  /// - `skipVerify: true`: clients are never asked for a certificate, even with `caCerts`.
  ///
  /// Departure from the Go SDK, which demands client certificates (against the system roots)
  /// whenever `skipVerify` is false: no Synse client sends one unless told to, so TLS with a
  /// certificate and key only failed with a connection-preface error. Naming the client CAs
  /// is what asks for mTLS.
  var transportSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
    guard !tlsCert.isEmpty || !tlsKey.isEmpty else { return .plaintext }
    let chain: [TLSConfig.CertificateSource] = [.file(path: tlsCert, format: .pem)]
    let key: TLSConfig.PrivateKeySource = .file(path: tlsKey, format: .pem)
    if tlsSkipVerify || tlsCACerts.isEmpty { return .tls(certificateChain: chain, privateKey: key) }
    return .mTLS(certificateChain: chain, privateKey: key) { config in
      config.trustRoots = .certificates(tlsCACerts.map { .file(path: $0, format: .pem) })
    }
  }
}
