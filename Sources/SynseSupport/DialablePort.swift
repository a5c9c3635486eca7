public import Foundation

extension HostPort {
  /// The ports a client can send to: 1-65535. Port 0 only asks a listener for any free port,
  /// and 16 bits hold no more.
  public static let dialablePorts: ClosedRange<Int> = 1...65535
}

extension URL {
  /// Whether the URL names no port or one a client can send to (``HostPort/dialablePorts``).
  /// `URL` accepts any digits, and AsyncHTTPClient traps on a port beyond 16 bits, so every
  /// URL from configuration or a peer (a redirect's `Location`) is checked before a request.
  public var hasDialablePort: Bool { port.map(HostPort.dialablePorts.contains) ?? true }
}

extension URLComponents {
  /// Whether the components name no port or one a client can send to (``HostPort/dialablePorts``).
  public var hasDialablePort: Bool { port.map(HostPort.dialablePorts.contains) ?? true }
}
