import Foundation

/// Where a plugin is reached: TCP `host:port`, a Unix socket, or in this process.
public enum PluginEndpoint: Sendable, Hashable, CustomStringConvertible {
  case tcp(String)
  /// The resolved absolute socket path.
  case unix(String)
  /// A plugin served in-process under this name.
  case embedded(String)

  /// Where relative `plugin.unix` names live (the original's default socket directory).
  public static let socketDirectory = "/tmp/synse"

  /// A configured unix address: relative names live in ``socketDirectory``, absolute paths stay.
  public static func unixSocket(_ configured: String) -> PluginEndpoint {
    .unix(configured.hasPrefix("/") ? configured : (socketDirectory as NSString).appendingPathComponent(configured))
  }

  /// `network.address` of plugin info: TCP as configured, `unix:<path>` for sockets.
  public var address: String {
    switch self {
    case .tcp(let address): return address
    case .unix(let path): return "unix:\(path)"
    case .embedded(let name): return "embedded:\(name)"
    }
  }

  public var networkProtocol: String {
    switch self {
    case .tcp: return "tcp"
    case .unix: return "unix"
    case .embedded: return "embedded"
    }
  }

  public var description: String { "\(networkProtocol) \(address)" }
}
