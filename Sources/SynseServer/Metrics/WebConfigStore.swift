import Crypto
import Foundation
import HummingbirdBcrypt
public import Logging
import NIOCore
import NIOPosix
public import NIOSSL
public import SynseServerCore
import Synchronization
import SynseSupport

/// The `metrics.web_config_file` in force (``WebConfig``), re-read when the file, its
/// certificate or its key changes (compared by inode, size and modification time on each
/// request and each TLS handshake), so users and certificates rotate without a restart.
///
/// A change that does not load (a half-written certificate) is logged once and the previous
/// configuration stays in force. Turning TLS on or off, and the client CA and auth type, are
/// fixed when the listener starts: a change to them is logged as needing a restart.
public final class WebConfigStore: Sendable {
  private struct Loaded {
    var config: WebConfig
    var stamps: [FileStamp]
    var materials: WebConfig.Materials?
  }

  private struct State {
    var loaded: Loaded
    var refused: [FileStamp]?
    /// SHA-256 of user, password and hash → verdict: bcrypt costs ~50 ms a check, and a
    /// scraper sends the same credentials every scrape.
    var verdicts: [SHA256Digest: Bool] = [:]
  }

  public let path: String
  private let logger: Logger
  private let state: Mutex<State>
  /// Checked against when the user is unknown, at the highest cost of the known users' hashes,
  /// so an unknown user costs what a wrong password does.
  private static func decoy(for users: [String: String]) -> String {
    let cost = users.values.map(WebConfig.bcryptCost).max() ?? 10
    return "$2b$" + (cost < 10 ? "0\(cost)" : "\(cost)") + "$" + String(repeating: "C", count: 53)
  }

  /// - Throws: ``WebConfigError`` when the file does not load.
  public init(path: String, logger: Logger) throws(WebConfigError) {
    self.path = path
    self.logger = logger
    state = Mutex(State(loaded: try Self.load(path)))
  }

  /// The configuration now in force.
  public var config: WebConfig { refreshed().config }

  /// TLS for the listener, or nil when the file has no `tls_server_config`. Each handshake
  /// takes the certificate and key in force at that moment.
  public func tlsConfiguration() -> TLSConfiguration? {
    let loaded = refreshed()
    guard let tls = loaded.config.tls, let materials = loaded.materials else { return nil }
    var configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: materials.chain.map { .certificate($0) }, privateKey: .privateKey(materials.key))
    configuration.minimumTLSVersion = tls.minVersion
    configuration.maximumTLSVersion = tls.maxVersion
    if tls.clientAuth != .none {
      configuration.trustRoots = .certificates(materials.clientCAs)
      configuration.certificateVerification = tls.clientAuth == .verifyIfGiven ? .optionalVerification : .noHostnameVerification
    }
    configuration.sslContextCallback = { [self] _, promise in
      let now = refreshed()
      var override = NIOSSLContextConfigurationOverride()
      if let materials = now.materials {
        override.certificateChain = materials.chain.map { .certificate($0) }
        override.privateKey = .privateKey(materials.key)
      }
      promise.succeed(override)
    }
    return configuration
  }

  /// Whether the `Authorization` header passes `basic_auth_users` (always, when there are none).
  public func authorized(_ header: String?) async -> Bool {
    let users = refreshed().config.users
    guard !users.isEmpty else { return true }
    guard let (user, password) = Self.basicCredentials(header) else { return false }
    let known = users[user]
    // Go's bcrypt writes $2a$, htpasswd $2y$; the algorithm is $2b$'s, which is what the C code reads.
    let hash = (known ?? Self.decoy(for: users)).replacingOccurrences(of: "$2y$", with: "$2b$", options: .anchored)
    let digest = SHA256.hash(data: Data("\(user)\u{0}\(password)\u{0}\(hash)".utf8))
    if let verdict = state.withLock({ $0.verdicts[digest] }) { return verdict && known != nil }
    let verdict = (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    state.withLock { state in
      if state.verdicts.count >= 256 { state.verdicts.removeAll() }
      state.verdicts[digest] = verdict
    }
    return verdict && known != nil
  }

  static func basicCredentials(_ header: String?) -> (String, String)? {
    guard let header, let space = header.firstIndex(of: " "), header[..<space].lowercased() == "basic",
          let data = Data(base64Encoded: header[header.index(after: space)...].trimmingCharacters(in: .whitespaces)),
          let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
    return (String(text[..<colon]), String(text[text.index(after: colon)...]))
  }

  private func refreshed() -> Loaded {
    let (loaded, refused) = state.withLock { ($0.loaded, $0.refused) }
    let files = [path] + (loaded.config.tls.map { [$0.certFile, $0.keyFile] } ?? [])
    let stamps = files.map(FileStamp.init)
    guard stamps != loaded.stamps, stamps != refused else { return loaded }
    do {
      let fresh = try Self.load(path)
      if (fresh.config.tls == nil) != (loaded.config.tls == nil) || fresh.config.tls?.clientAuth != loaded.config.tls?.clientAuth
        || fresh.config.tls?.clientCAFile != loaded.config.tls?.clientCAFile {
        logger.warning("metrics web config: turning TLS on or off and client certificate settings take a restart", metadata: ["file": "\(path)"])
      }
      logger.info("metrics web config re-read", metadata: ["file": "\(path)", "users": "\(fresh.config.users.count)"])
      state.withLock { state in
        state.loaded = fresh
        state.refused = nil
        state.verdicts.removeAll()
      }
      return fresh
    } catch {
      logger.error("metrics web config not re-read, the previous one stays in force: \(error)", metadata: ["file": "\(path)"])
      state.withLock { $0.refused = stamps }
      return loaded
    }
  }

  private static func load(_ path: String) throws(WebConfigError) -> Loaded {
    // Each file is stamped before it is read: one replaced meanwhile is read again next time.
    let stamp = FileStamp(path)
    let config = try WebConfig.read(path)
    let tlsStamps = config.tls.map { [FileStamp($0.certFile), FileStamp($0.keyFile)] } ?? []
    let materials = try config.tls.map { tls throws(WebConfigError) in try WebConfig.materials(tls, of: path) }
    return Loaded(config: config, stamps: [stamp] + tlsStamps, materials: materials)
  }
}
