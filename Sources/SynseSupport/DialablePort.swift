public import Foundation

extension HostPort {
  /// The ports a client can send to: 1-65535. Port 0 only asks a listener for any free port,
  /// and 16 bits hold no more.
  public static let dialablePorts: ClosedRange<Int> = 1...65535

  /// The port as written in an absolute URL's authority (`https://h:8443/x` → `8443`); nil when
  /// none is written or it is empty (`http://h:/`, the scheme's default, as URL reads it).
  ///
  /// Read from the text because `URL.port` and `URLComponents.port` are nil for digits past
  /// `Int`: a check of them let `http://h:99999999999999999999/` through, to the default port.
  public static func writtenPort(inURL text: String) -> Substring? {
    guard var authority = authority(inURL: text) else { return nil }
    if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
    if let bracket = authority.lastIndex(of: "]") { authority = authority[authority.index(after: bracket)...] }
    guard let colon = authority.lastIndex(of: ":") else { return nil }
    let port = authority[authority.index(after: colon)...]
    return port.isEmpty ? nil : port
  }

  /// The authority of an absolute URL (`user@host:port` of `https://user@host:port/x`): after
  /// `://`, up to the first `/`, `?` or `#`; nil without `://`.
  public static func authority(inURL text: String) -> Substring? {
    guard let schemeEnd = text.range(of: "://") else { return nil }
    let rest = text[schemeEnd.upperBound...]
    return rest[..<(rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex)]
  }

  /// Whether an absolute URL names no port or one a client can send to (``dialablePorts``).
  /// AsyncHTTPClient traps on a port beyond 16 bits, so every URL from configuration or a peer
  /// (a redirect's `Location`) is checked before a request.
  public static func hasDialablePort(url text: String) -> Bool {
    guard let port = writtenPort(inURL: text) else { return true }
    return port.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } && Int(port).map(dialablePorts.contains) ?? false
  }
}

extension URL {
  /// ``HostPort/hasDialablePort(url:)`` of the absolute URL.
  public var hasDialablePort: Bool { HostPort.hasDialablePort(url: absoluteURL.absoluteString) }
}
