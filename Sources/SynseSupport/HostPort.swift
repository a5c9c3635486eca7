/// A network address written `host:port`: how Synse configuration names plugin TCP
/// addresses (`plugin.tcp`, a plugin's `network.address`), the StatsD daemon
/// (`metrics.statsd.address`) and a plugin's metrics listener (`metrics.address`).
///
/// Accepted forms:
/// - `name:port` and `1.2.3.4:port`;
/// - `[v6]:port`: an IPv6 literal goes in brackets, as in URLs (RFC 3986 §3.2.2), since its
///   own colons would hide where the port starts; `::1:5001` is refused, not guessed at;
/// - `:port`: an empty ``host``, which each caller resolves (``host(or:)``): all interfaces
///   for a listener, `127.0.0.1` for a client.
///
/// The port is decimal digits from 0 to 65535; 0 asks a listener for any free port, so a
/// caller that dials checks for it itself.
///
/// ```swift
/// let address = try HostPort(parsing: "[::1]:5001")  // host "::1", port 5001
/// address.description                                 // "[::1]:5001"
/// ```
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
  /// The host without brackets; empty when the address was `:port`.
  public var host: String
  public var port: Int

  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  /// Parses `host:port`, `[v6]:port` or `:port`.
  ///
  /// - Throws: ``HostPortError`` with code `missingPort` (no `:port`), `invalidPort` (not
  ///   0–65535 in digits) or `invalidHost` (blank, `/`, stray brackets, unbracketed IPv6).
  public init(parsing text: String) throws(HostPortError) {
    let hostPart: Substring
    let portPart: Substring
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else {
        throw HostPortError(.invalidHost, address: text, message: "'[' without a closing ']'")
      }
      hostPart = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      guard let colon = rest.first else { throw HostPortError(.missingPort, address: text, message: "no port after ']'") }
      guard colon == ":" else { throw HostPortError(.invalidHost, address: text, message: "expected ':' after ']'") }
      portPart = rest.dropFirst()
      guard !hostPart.isEmpty else { throw HostPortError(.invalidHost, address: text, message: "empty brackets") }
    } else {
      guard let colon = text.lastIndex(of: ":") else { throw HostPortError(.missingPort, address: text, message: "no ':port'") }
      hostPart = text[..<colon]
      portPart = text[text.index(after: colon)...]
      if hostPart.contains(":") {
        throw HostPortError(.invalidHost, address: text, message: "an IPv6 address goes in brackets, as in [::1]:5001")
      }
    }
    if let bad = hostPart.first(where: { $0.isWhitespace || $0 == "/" || $0 == "[" || $0 == "]" }) {
      throw HostPortError(.invalidHost, address: text, message: "the host may not contain '\(bad)'")
    }
    guard !portPart.isEmpty else { throw HostPortError(.missingPort, address: text, message: "nothing after ':'") }
    guard portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portPart), port <= 65535 else {
      throw HostPortError(.invalidPort, address: text, message: "the port must be a number from 0 to 65535")
    }
    self.init(host: String(hostPart), port: port)
  }

  /// ``host``, or `fallback` when the address gave none (`:port`).
  public func host(or fallback: String) -> String { host.isEmpty ? fallback : host }

  /// `host:port`, with brackets around an IPv6 host.
  public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a `host:port` address was refused by ``HostPort/init(parsing:)``.
public struct HostPortError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong with the address.
  public enum Code: String, Sendable {
    case missingPort = "missing port"
    case invalidPort = "invalid port"
    case invalidHost = "invalid host"
  }

  public let code: Code
  /// The address as given.
  public let address: String
  public let message: String

  public init(_ code: Code, address: String, message: String) {
    self.code = code
    self.address = address
    self.message = message
  }

  /// E.g. `expected host:port, got '::1:5001' (invalid host: an IPv6 address goes in brackets, as in [::1]:5001)`.
  public var description: String { "expected host:port, got '\(address)' (\(code.rawValue): \(message))" }
}
