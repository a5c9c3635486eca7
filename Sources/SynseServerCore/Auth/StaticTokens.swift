import Crypto
import Foundation
import SynseSupport
import Yams

/// The static bearer tokens of `auth.tokens_file` (docs/auth.md "Static tokens"): a YAML list
/// (or a mapping with `tokens:`) of
///
/// ```yaml
/// - name: ci-bot                      # who, in the audit log; unique
///   sha256: 9f86d081884c7d65…         # hex SHA-256 of the token (64 digits): the file never holds a token
///   scopes: [read, write]             # of read, write, admin
/// ```
///
/// A presented token is hashed and compared with every entry in constant time (no early exit
/// on the first differing byte or on the first matching entry), so the time taken tells
/// nothing about how close a guess was; a token accepted lately is found by a constant-time
/// comparison with those (``RecentTokens``) before it is hashed.
public struct StaticTokens: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    public let name: String
    /// The token's SHA-256 (32 bytes).
    let digest: [UInt8]
    public let scopes: Set<Scope>

    /// A digest as four big-endian words, compared at once.
    static func words(_ bytes: some Sequence<UInt8>) -> [UInt64] {
      var words = [UInt64](repeating: 0, count: 4)
      for (index, byte) in bytes.enumerated() { words[index / 8] = words[index / 8] << 8 | UInt64(byte) }
      return words
    }
  }

  public private(set) var entries: [Entry] = []
  /// Every entry's digest as four words, one entry after another: one flat run to compare.
  private var words: [UInt64] = []
  private let recent = RecentTokens()
  static let fields = ["name", "sha256", "scopes"]

  public init() {}

  /// The same entries (what was accepted lately is no part of the tokens).
  public static func == (a: StaticTokens, b: StaticTokens) -> Bool { a.entries == b.entries }

  init(entries: [Entry]) {
    self.entries = entries
    words = entries.flatMap { Entry.words($0.digest) }
  }

  /// The entry whose token is `token`, or nil.
  public func match(_ token: some StringProtocol) -> Entry? {
    guard !entries.isEmpty else { return nil }
    var text = String(token)
    return text.withUTF8 { match(UnsafeRawBufferPointer($0)) }
  }

  /// The entry whose token is the UTF-8 text `token`, or nil.
  public func match(_ token: UnsafeRawBufferPointer) -> Entry? {
    guard !entries.isEmpty else { return nil }
    if let index = recent.entry(of: token) { return entries[index] }
    var hasher = SHA256()
    hasher.update(bufferPointer: token)
    // The digest's four words in the order Entry.words gives them (big-endian).
    let (d0, d1, d2, d3) = hasher.finalize().withUnsafeBytes { raw in
      (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
       UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
       UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
       UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }
    var found = -1
    words.withUnsafeBufferPointer { words in
      for index in 0..<(words.count / 4) {
        let base = index * 4
        let difference = (words[base] ^ d0) | (words[base + 1] ^ d1) | (words[base + 2] ^ d2) | (words[base + 3] ^ d3)
        // Both outcomes do the same work; only the matching entry is kept.
        found = difference == 0 ? index : found
      }
    }
    guard found >= 0 else { return nil }
    recent.remember(token, entry: found)
    return entries[found]
  }

  /// Reads `file`.
  ///
  /// - Throws: ``AuthConfigurationError`` naming the file and the entry's key
  ///   (`tokens.yaml: 'tokens[2].sha256' must be …`); never a token or hash value.
  static func load(file: String) throws(AuthConfigurationError) -> StaticTokens {
    let key = "auth.tokens_file"
    guard let data = FileManager.default.contents(atPath: file) else {
      throw AuthConfigurationError(key: key, message: "cannot read \(file)")
    }
    let json: JSONValue
    do {
      guard let node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self)) else {
        throw AuthConfigurationError(key: key, message: "\(file) holds no tokens")
      }
      json = try texts(node, file: file)
    } catch let error as AuthConfigurationError {
      throw error
    } catch {
      throw AuthConfigurationError(key: key, message: "\(file) is not valid YAML: \((error as? YamlError)?.oneLine ?? "\(error)")")
    }
    if case .object(let pairs) = json, let other = pairs.first(where: { $0.0 != "tokens" }) {
      throw AuthConfigurationError(key: key, message: "\(file): '\(other.0)' is not a tokens file key (a list, or 'tokens:' with the list)")
    }
    let list = ServerConfiguration.value(at: ["tokens"], in: json) ?? json
    guard case .array(let items) = list, !items.isEmpty else {
      throw AuthConfigurationError(key: key, message: "\(file) must hold a non-empty list of tokens ({name, sha256, scopes})")
    }
    var entries: [Entry] = []
    for (index, item) in items.enumerated() {
      // Counted from 0, as every other list in the configuration's errors is.
      let at = "tokens[\(index)]"
      func problem(_ text: String) -> AuthConfigurationError { AuthConfigurationError(key: key, message: "\(file): \(text)") }
      let fields = try AuthEntryFields(item, at: at, kind: "token", fields: Self.fields, shape: "name, sha256 and scopes", problem: problem)
      let values = fields.values
      let name = try fields.name(taken: entries.map(\.name))
      guard case .string(let hex)? = values["sha256"], let digest = Self.bytes(hex: hex) else {
        throw problem("'\(at).sha256' must be the token's SHA-256 in hex (64 digits, e.g. from `printf %s TOKEN | sha256sum`)")
      }
      if let same = entries.first(where: { $0.digest == digest }) {
        throw problem("'\(at).sha256' is the same token as '\(same.name)'")
      }
      let scopes = try fields.scopes()
      entries.append(Entry(name: name, digest: digest, scopes: scopes))
    }
    return StaticTokens(entries: entries)
  }

  /// The file's tree with every scalar as text: a digest of digits only (or digits and one
  /// `e`) is a number to YAML, and its text is what was meant.
  private static func texts(_ node: Node, file: String) throws(AuthConfigurationError) -> JSONValue {
    switch node {
    case .scalar(let scalar): return .string(scalar.string)
    case .sequence(let sequence):
      var items: [JSONValue] = []
      for item in sequence { items.append(try texts(item, file: file)) }
      return .array(items)
    case .mapping(let mapping):
      var pairs: [(String, JSONValue)] = []
      for (key, value) in mapping { pairs.append((key.string ?? "", try texts(value, file: file))) }
      return .object(pairs)
    case .alias: throw AuthConfigurationError(key: "auth.tokens_file", message: "\(file): YAML aliases are not supported")
    }
  }

  static func bytes(hex: String) -> [UInt8]? {
    let digits = Array(hex.lowercased().utf8)
    guard digits.count == 64 else { return nil }
    var bytes: [UInt8] = []
    for index in stride(from: 0, to: 64, by: 2) {
      guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
      bytes.append(high << 4 | low)
    }
    return bytes
  }

  private static func value(_ digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    default: nil
    }
  }
}

/// A problem with an `auth.*` setting or the file it names; the message never holds a secret.
public struct AuthConfigurationError: Error, Sendable, CustomStringConvertible {
  public let key: String
  public let message: String
  public var description: String { message }
}
