import GRPCNIOTransportHTTP2

extension PluginConfig.Network {
  /// TLS per plugin-protocol.md §3.1.3: on when `cert` or `key` is set; unless `skipVerify`,
  /// clients must present a certificate that verifies against `caCerts` (or the system roots).
  var transportSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
    guard !tlsCert.isEmpty || !tlsKey.isEmpty else { return .plaintext }
    let chain: [TLSConfig.CertificateSource] = [.file(path: tlsCert, format: .pem)]
    let key: TLSConfig.PrivateKeySource = .file(path: tlsKey, format: .pem)
    if tlsSkipVerify { return .tls(certificateChain: chain, privateKey: key) }
    return .mTLS(certificateChain: chain, privateKey: key) { config in
      if !tlsCACerts.isEmpty {
        config.trustRoots = .certificates(tlsCACerts.map { .file(path: $0, format: .pem) })
      }
    }
  }
}
