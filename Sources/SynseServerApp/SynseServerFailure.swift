/// Why synse-server cannot start, as the executable reports it: `exitCode` (2: bad
/// configuration or setup; 1: a listener could not bind) and, when set, `message`, which
/// the executable writes to stderr as `synse-server: <message>`. Without a message the
/// reason has already been logged.
public struct SynseServerFailure: Error, CustomStringConvertible {
  public let exitCode: Int32
  public let message: String?

  public init(exitCode: Int32, message: String? = nil) {
    self.exitCode = exitCode
    self.message = message
  }

  public var description: String { message ?? "exit \(exitCode)" }
}
