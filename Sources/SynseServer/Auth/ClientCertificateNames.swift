import NIOCore
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// What identifies a TLS client certificate to `auth.client_certificates`: the subject's CN
/// and the subjectAltNames (DNS names, e-mail addresses, URIs, IP addresses; RFC 5280
/// §4.2.1.6), read with swift-certificates.
struct ClientCertificateNames: Sendable {
  let commonName: String?
  let subjectAltNames: [String]

  /// The names of `channel`'s peer certificate, which NIOSSL verified against `ssl.client_ca`
  /// during the handshake; nil without TLS, without a certificate or when it cannot be read.
  ///
  /// Read once per connection (a TLS connection's peer certificate cannot change: NIOSSL
  /// refuses renegotiation) and kept until it closes.
  static func of(_ channel: any Channel) async -> ClientCertificateNames? {
    let key = ObjectIdentifier(channel)
    if let known = perConnection.withLock({ $0[key] }) { return known }
    let names = await read(channel)
    let added = perConnection.withLock { known in known.updateValue(names, forKey: key) == nil }
    if added { channel.closeFuture.whenComplete { _ in _ = perConnection.withLock { $0.removeValue(forKey: key) } } }
    return names
  }

  /// Each open connection's names (nil inside: it presented none), by channel.
  private static let perConnection = Mutex<[ObjectIdentifier: ClientCertificateNames?]>([:])

  private static func read(_ channel: any Channel) async -> ClientCertificateNames? {
    guard let certificate = try? await channel.nioSSL_peerCertificate().get(), let der = try? certificate.toDERBytes(),
      let parsed = try? Certificate(derEncoded: der)
    else { return nil }
    return ClientCertificateNames(parsed)
  }

  init(_ certificate: Certificate) {
    commonName = certificate.subject.flatMap { $0 }.first { $0.type == .RDNAttributeType.commonName }.map { "\($0.value)" }
    var names: [String] = []
    if let sans = try? certificate.extensions.subjectAlternativeNames {
      for name in sans {
        switch name {
        case .dnsName(let text), .rfc822Name(let text), .uniformResourceIdentifier(let text): names.append(text)
        case .ipAddress(let bytes): names.append(Self.address(Array(bytes.bytes)))
        default: continue
        }
      }
    }
    subjectAltNames = names
  }

  /// An IPv4 or IPv6 address in its usual text form.
  static func address(_ bytes: [UInt8]) -> String {
    if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
    guard bytes.count == 16, let address = try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0) else {
      return bytes.map { String($0, radix: 16) }.joined(separator: ":")
    }
    return address.ipAddress ?? ""
  }
}
