/// A configuration problem that stops a plugin from starting, naming the file and key.
///
/// Shaped like swift-service-lifecycle's `ServiceRunnerError`: a ``Code`` to match on and a
/// message for people.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
  /// What kind of configuration problem this is.
  public enum Code: String, Sendable {
    case missingFile = "missing file"
    case invalidFile = "invalid file"
    case invalidValue = "invalid value"
    case missingValue = "missing value"
    case invalidDevice = "invalid device"
  }

  public let code: Code
  /// The file the problem is in, if it came from a file.
  public let file: String?
  /// The dotted key path, if one setting is at fault.
  public let key: String?
  public let message: String

  public init(_ code: Code, file: String? = nil, key: String? = nil, message: String) {
    self.code = code
    self.file = file
    self.key = key
    self.message = message
  }

  public var description: String {
    var parts = ["config error (\(code.rawValue))"]
    if let file { parts.append("in \(file)") }
    if let key { parts.append("at key '\(key)'") }
    return parts.joined(separator: " ") + ": " + message
  }
}
