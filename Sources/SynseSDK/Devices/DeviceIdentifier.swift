import Crypto
import Foundation

/// The deterministic plugin and device IDs of docs/plugin-protocol.md §2, bit for bit.
public enum DeviceIdentifier {
  /// The DNS namespace UUID, the namespace of plugin IDs.
  static let dnsNamespace: [UInt8] = [
    0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
  ]

  /// `maintainer/name`, lower-cased, `-` to `_`, then space to `-` (§2.1).
  public static func pluginTag(name: String, maintainer: String) -> String {
    "\(maintainer)/\(name)".lowercased()
      .replacingOccurrences(of: "-", with: "_")
      .replacingOccurrences(of: " ", with: "-")
  }

  /// The plugin ID: UUIDv5 in the DNS namespace of the joined components (§2.2).
  public static func pluginID(namespaceName: String) -> String {
    uuidV5(namespace: dnsNamespace, name: namespaceName)
  }

  /// The default data component: `%v` of each non-map value, keys in byte order (§2.3).
  public static func dataComponent(_ data: ConfigValue) -> String {
    guard let pairs = data.mapPairs else { return "" }
    return pairs.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
      .compactMap { pair -> String? in
        if case .map = pair.value { return nil }
        return GoFormat.value(pair.value)
      }
      .joined()
  }

  /// The device ID: UUIDv5 of `type.handler.component` in the plugin ID's namespace.
  public static func deviceID(pluginID: String, type: String, handler: String, component: String) -> String {
    uuidV5(namespace: uuidBytes(pluginID) ?? dnsNamespace, name: "\(type).\(handler).\(component)")
  }

  /// RFC 4122 name-based UUID (version 5, SHA-1), lower-case text.
  public static func uuidV5(namespace: [UInt8], name: String) -> String {
    var hasher = Insecure.SHA1()
    hasher.update(data: namespace)
    hasher.update(data: Array(name.utf8))
    var bytes = Array(hasher.finalize().prefix(16))
    bytes[6] = (bytes[6] & 0x0F) | 0x50
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    return format(bytes)
  }

  static func uuidBytes(_ text: String) -> [UInt8]? {
    guard let uuid = UUID(uuidString: text) else { return nil }
    return withUnsafeBytes(of: uuid.uuid) { Array($0) }
  }

  static func format(_ bytes: [UInt8]) -> String {
    let hex = bytes.map { String(format: "%02x", $0) }.joined()
    let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
      String(hex[hex.index(hex.startIndex, offsetBy: range.lowerBound)..<hex.index(hex.startIndex, offsetBy: range.upperBound)])
    }
    return parts.joined(separator: "-")
  }

  /// HMAC-SHA256 of the plugin tag keyed with the host machine-id, hex (§2.2 component 2).
  static func protectedMachineID(tag: String, machineID: String) -> String {
    let mac = HMAC<SHA256>.authenticationCode(for: Array(tag.utf8), using: SymmetricKey(data: Array(machineID.utf8)))
    return mac.map { String(format: "%02x", $0) }.joined()
  }
}
