import Foundation
import GRPCNIOTransportHTTP2
import SynseSupport

/// Where a plugin serves `V3Plugin`: a TCP address or a Unix socket path.
public enum PluginAddress: Sendable, Equatable, CustomStringConvertible {
  /// A TCP listener; host `0.0.0.0` means every IPv4 interface.
  case tcp(host: String, port: Int)
  /// A Unix socket at an absolute path.
  case unix(path: String)

  /// The Synse socket directory.
  public static let socketDirectory = "/tmp/synse"

  /// From `network` config: TCP `host:port` (a ``HostPort``: `[v6]:port` for IPv6, `:5001`
  /// listens on all interfaces), or a socket name placed in `/tmp/synse`. An absolute socket
  /// path is used as given, which is where the Python client (and so Synse Server) looks for it.
  ///
  /// - Throws: ``ConfigError`` `invalidValue` at `network.address` naming what is wrong with a
  ///   TCP address.
  public init(_ network: PluginConfig.Network) throws(ConfigError) {
    switch network.type {
    case .unix:
      let address = network.address
      self = .unix(path: address.hasPrefix("/") ? address : (Self.socketDirectory as NSString).appendingPathComponent(address))
    case .tcp:
      let parsed: HostPort
      do {
        parsed = try HostPort(parsing: network.address)
      } catch {
        throw ConfigError(.invalidValue, key: "network.address", message: "\(error)")
      }
      var host = parsed.host(or: "0.0.0.0")
      if host == "localhost" { host = "127.0.0.1" }
      self = .tcp(host: host, port: parsed.port)
    }
  }

  var socketAddress: GRPCNIOTransportCore.SocketAddress {
    switch self {
    case .tcp(let host, let port): return host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port)
    case .unix(let path): return .unixDomainSocket(path: path)
    }
  }

  /// `tcp host:port` or `unix /path`, for logs.
  public var description: String {
    switch self {
    case .tcp(let host, let port): return "tcp \(host):\(port)"
    case .unix(let path): return "unix \(path)"
    }
  }
}

import GRPCNIOTransportCore
