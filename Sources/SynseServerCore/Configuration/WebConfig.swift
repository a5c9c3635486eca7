import Foundation
public import NIOSSL
import SwiftASN1
import X509
import Yams

/// The Prometheus exporter-toolkit web configuration file (`--web.config.file` of node_exporter
/// and the other exporters; the "web configuration" document of prometheus/exporter-toolkit), for the
/// separate `/metrics` listener (`metrics.web_config_file`):
///
/// ```yaml
/// tls_server_config:
///   cert_file: server.pem          # relative paths are relative to this file
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert   # NoClientCert (default), VerifyClientCertIfGiven
///   client_ca_file: ca.pem
///   min_version: TLS12             # TLS10…TLS13; max_version alike
/// http_server_config:
///   headers: {Strict-Transport-Security: max-age=31536000}
/// basic_auth_users:
///   prometheus: $2y$10$…           # bcrypt ($2a$, $2b$, $2y$)
/// ```
///
/// As in exporter-toolkit, unknown keys are errors and only the five security headers may be
/// set. Not supported, and refused by name rather than ignored: `cipher_suites`,
/// `curve_preferences`, `client_allowed_sans`, the inline `cert`/`key`, and the client auth
/// types that take a certificate without verifying it.
public struct WebConfig: Sendable, Equatable {
  public enum ClientAuth: String, Sendable, CaseIterable {
    case none = "NoClientCert"
    case verifyIfGiven = "VerifyClientCertIfGiven"
    case requireAndVerify = "RequireAndVerifyClientCert"
  }

  public struct TLS: Sendable, Equatable {
    public var certFile: String
    public var keyFile: String
    public var clientAuth = ClientAuth.none
    public var clientCAFile: String?
    public var minVersion: TLSVersion = .tlsv12
    public var maxVersion: TLSVersion?
  }

  public var tls: TLS?
  public var headers: [String: String] = [:]
  /// User name → bcrypt hash.
  public var users: [String: String] = [:]

  static let headerNames = ["Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection", "Content-Security-Policy"]
  static let versions: [String: TLSVersion] = ["TLS10": .tlsv1, "TLS11": .tlsv11, "TLS12": .tlsv12, "TLS13": .tlsv13]

  /// Reads and checks the file: its YAML, its keys, and that the TLS files load as PEM.
  ///
  /// - Throws: ``WebConfigError`` naming the file and the key.
  public static func load(_ path: String) throws(WebConfigError) -> WebConfig {
    let config = try read(path)
    if let tls = config.tls { _ = try materials(tls, of: path) }
    return config
  }

  /// The file's YAML and keys checked, the TLS files not read.
  ///
  /// - Throws: ``WebConfigError`` naming the file and the key.
  public static func read(_ path: String) throws(WebConfigError) -> WebConfig {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw WebConfigError("\(path): cannot be read")
    }
    do throws(WebConfigError) {
      return try parse(text, directory: (path as NSString).deletingLastPathComponent)
    } catch {
      throw WebConfigError("\(path): \(error.message)")
    }
  }

  /// - Throws: ``WebConfigError`` naming the key (`tls_server_config.min_version: …`).
  static func parse(_ text: String, directory: String) throws(WebConfigError) -> WebConfig {
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch {
      throw WebConfigError("not YAML: \(error)")
    }
    var config = WebConfig()
    guard let root = node else { return config }  // an empty file: no TLS, no users
    let top = try mapping(root, at: "", keys: ["tls_server_config", "http_server_config", "basic_auth_users"])
    if let tls = top["tls_server_config"] {
      let fields = try mapping(tls, at: "tls_server_config.", keys: [
        "cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version", "prefer_server_cipher_suites",
      ], unsupported: ["cipher_suites", "curve_preferences", "client_allowed_sans", "cert", "key"])
      func path(_ key: String) throws(WebConfigError) -> String? {
        guard let value = try string(fields[key], at: "tls_server_config.\(key)") else { return nil }
        return value.hasPrefix("/") ? value : "\(directory.isEmpty ? "." : directory)/\(value)"
      }
      guard let cert = try path("cert_file") else { throw WebConfigError("tls_server_config.cert_file: missing") }
      guard let key = try path("key_file") else { throw WebConfigError("tls_server_config.key_file: missing") }
      var settings = TLS(certFile: cert, keyFile: key)
      if let text = try string(fields["client_auth_type"], at: "tls_server_config.client_auth_type") {
        guard let auth = ClientAuth(rawValue: text) else {
          throw WebConfigError("tls_server_config.client_auth_type: '\(text)' is not one of \(ClientAuth.allCases.map(\.rawValue).joined(separator: ", "))"
            + (["RequestClientCert", "RequireAnyClientCert"].contains(text) ? " (a client certificate that is not verified is not supported)" : ""))
        }
        settings.clientAuth = auth
      }
      settings.clientCAFile = try path("client_ca_file")
      if settings.clientAuth != .none && settings.clientCAFile == nil {
        throw WebConfigError("tls_server_config.client_ca_file: needed by client_auth_type \(settings.clientAuth.rawValue)")
      }
      func version(_ key: String) throws(WebConfigError) -> TLSVersion? {
        guard let text = try string(fields[key], at: "tls_server_config.\(key)") else { return nil }
        guard let version = versions[text] else {
          throw WebConfigError("tls_server_config.\(key): '\(text)' is not one of TLS10, TLS11, TLS12, TLS13")
        }
        return version
      }
      settings.minVersion = try version("min_version") ?? .tlsv12
      settings.maxVersion = try version("max_version")
      if let max = settings.maxVersion, Self.rank(max) < Self.rank(settings.minVersion) {
        throw WebConfigError("tls_server_config: max_version is below min_version, so no handshake could succeed")
      }
      config.tls = settings
    }
    if let http = top["http_server_config"] {
      let fields = try mapping(http, at: "http_server_config.", keys: ["headers", "http2"])
      if let headers = fields["headers"] {
        for (name, value) in try mapping(headers, at: "http_server_config.headers.", keys: nil) {
          guard let canonical = headerNames.first(where: { $0.lowercased() == name.lowercased() }) else {
            throw WebConfigError("http_server_config.headers: '\(name)' cannot be set (only \(headerNames.joined(separator: ", ")))")
          }
          config.headers[canonical] = try string(value, at: "http_server_config.headers.\(name)")
        }
      }
    }
    if let users = top["basic_auth_users"] {
      for (name, value) in try mapping(users, at: "basic_auth_users.", keys: nil) {
        guard !name.isEmpty, !name.contains(":") else {
          throw WebConfigError("basic_auth_users: '\(name)' cannot be a user name (HTTP basic auth names are not empty and hold no ':')")
        }
        guard let hash = try string(value, at: "basic_auth_users.\(name)"), Self.isBcryptHash(hash) else {
          throw WebConfigError("basic_auth_users.\(name): not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters; `htpasswd -nBC 10 \"\" | tr -d ':\\n'` makes one)")
        }
        config.users[name] = hash
      }
    }
    return config
  }

  /// The certificate chain, key and client CAs of `tls_server_config`.
  public struct Materials: Sendable {
    public let chain: [NIOSSLCertificate]
    public let key: NIOSSLPrivateKey
    public let clientCAs: [NIOSSLCertificate]
  }

  /// Reads each TLS file once and checks that the certificate chain and key load as PEM and
  /// belong together.
  ///
  /// - Throws: ``WebConfigError`` naming `path` (the web config file) and the key of the TLS
  ///   file that does not load.
  public static func materials(_ tls: TLS, of path: String) throws(WebConfigError) -> Materials {
    do throws(WebConfigError) {
      return try materials(tls)
    } catch {
      throw WebConfigError("\(path): \(error.message)")
    }
  }

  private static func materials(_ tls: TLS) throws(WebConfigError) -> Materials {
    // Read by swift-certificates before BoringSSL: a file BoringSSL refuses leaves an error on
    // the thread's error queue, and the next TLS handshake on that event-loop thread failed on it.
    guard let certificatePEM = try? String(contentsOfFile: tls.certFile, encoding: .utf8), readsAsCertificates(certificatePEM),
          let chain = try? NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)), !chain.isEmpty else {
      throw WebConfigError("tls_server_config.cert_file: no PEM certificate in \(tls.certFile)")
    }
    guard let keyPEM = try? String(contentsOfFile: tls.keyFile, encoding: .utf8), readsAsPrivateKey(keyPEM),
          let key = try? NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem) else {
      throw WebConfigError("tls_server_config.key_file: no PEM private key in \(tls.keyFile)")
    }
    // A rotation that has replaced one of the two files but not yet the other.
    guard keyMatches(chain[0], keyPEM: keyPEM) ?? contextAccepts(chain, key) else {
      throw WebConfigError("tls_server_config.key_file: \(tls.keyFile) does not match the certificate in \(tls.certFile)")
    }
    var clientCAs: [NIOSSLCertificate] = []
    if let file = tls.clientCAFile {
      guard let cas = try? NIOSSLCertificate.fromPEMFile(file), !cas.isEmpty else {
        throw WebConfigError("tls_server_config.client_ca_file: no PEM certificate in \(file)")
      }
      clientCAs = cas
    }
    return Materials(chain: chain, key: key, clientCAs: clientCAs)
  }

  /// `$2a$`, `$2b$` or `$2y$`, a cost of 04 to 31, and 53 characters of bcrypt's base64
  /// (22 of salt, 31 of hash): anything else could never match a password.
  static func isBcryptHash(_ hash: String) -> Bool {
    let bytes = Array(hash.utf8)
    guard bytes.count == 60, ["$2a$", "$2b$", "$2y$"].contains(String(hash.prefix(4))), bytes[6] == UInt8(ascii: "$"),
          let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost) else { return false }
    let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    return bytes[7...].allSatisfy(alphabet.contains)
  }

  /// The bcrypt cost of a hash ``isBcryptHash(_:)`` accepted.
  public static func bcryptCost(_ hash: String) -> Int { Int(hash.dropFirst(4).prefix(2)) ?? 10 }

  private static func rank(_ version: TLSVersion) -> Int {
    switch version {
    case .tlsv1: 0
    case .tlsv11: 1
    case .tlsv12: 2
    case .tlsv13: 3
    }
  }

  /// Whether the key is the certificate's (their public keys compared, by swift-certificates);
  /// nil for a key type it does not read. Not by making an `NIOSSLContext` of the pair: a
  /// refused pair leaves an error on the thread's BoringSSL error queue, and the next TLS
  /// handshake on that event-loop thread failed on it.
  private static func keyMatches(_ certificate: NIOSSLCertificate, keyPEM: String) -> Bool? {
    guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der),
          let key = try? Certificate.PrivateKey(pemEncoded: keyPEM) else { return nil }
    return key.publicKey == parsed.publicKey
  }

  /// Whether every PEM block of `pem` is a certificate swift-certificates reads (one at least).
  private static func readsAsCertificates(_ pem: String) -> Bool {
    guard let documents = try? PEMDocument.parseMultiple(pemString: pem),
          !documents.isEmpty else { return false }
    return documents.allSatisfy { (try? Certificate(pemDocument: $0)) != nil }
  }

  /// Whether `pem` is a PEM private key: one swift-certificates reads, or a kind it does not
  /// (an encrypted key), left to BoringSSL.
  private static func readsAsPrivateKey(_ pem: String) -> Bool {
    guard let document = try? PEMDocument(pemString: pem) else { return false }
    return (try? Certificate.PrivateKey(pemDocument: document)) != nil || !["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"].contains(document.discriminator)
  }

  private static func contextAccepts(_ chain: [NIOSSLCertificate], _ key: NIOSSLPrivateKey) -> Bool {
    (try? NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))) != nil
  }

  private static func mapping(
    _ node: Node, at path: String, keys: Set<String>?, unsupported: Set<String> = []
  ) throws(WebConfigError) -> [String: Node] {
    if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~" { return [:] }
    guard case .mapping(let pairs) = node else { throw WebConfigError("\(path.isEmpty ? "the file" : String(path.dropLast())): must be a mapping") }
    var result: [String: Node] = [:]
    for (keyNode, value) in pairs {
      guard let key = keyNode.string else { throw WebConfigError("\(path): keys must be strings") }
      if unsupported.contains(key) { throw WebConfigError("\(path)\(key): not supported by synse-server") }
      if let keys, !keys.contains(key) {
        throw WebConfigError("\(path)\(key): unknown key (known: \(keys.sorted().joined(separator: ", ")))")
      }
      result[key] = value
    }
    return result
  }

  private static func string(_ node: Node?, at path: String) throws(WebConfigError) -> String? {
    guard let node else { return nil }
    guard case .scalar(let scalar) = node else { throw WebConfigError("\(path): must be a string") }
    return scalar.string
  }
}

/// Why a web configuration file was refused: file and key.
public struct WebConfigError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
