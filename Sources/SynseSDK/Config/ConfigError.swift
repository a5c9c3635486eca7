/// A configuration problem that stops a plugin from starting, naming the file and key.
///
/// Shaped like swift-service-lifecycle's `ServiceRunnerError`: a ``Code`` to match on and a
/// message for people. Thrown before serving (``Plugin/run(flags:loader:logger:)``), where the
/// bundled plugin executables exit with status 2; a failed device rescan is only logged.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
  /// What kind of configuration problem this is.
  ///
  /// The raw value is what ``description`` shows in parentheses.
  public enum Code: String, Sendable {
    /// A file the configuration depends on is absent or unreadable: a `PLUGIN_CONFIG` or
    /// `PLUGIN_DEVICE_CONFIG` path that does not exist, a config file that cannot be read, no
    /// device config anywhere, or the machine-id with `id.useMachineID`. ``file`` names it when
    /// there is one.
    case missingFile = "missing file"
    /// A file that cannot be configuration: not YAML (the message gives line and column), YAML
    /// aliases, not UTF-8, a top level that is not a mapping, or an override path that is not
    /// `.yml`/`.yaml`. ``file`` names it.
    case invalidFile = "invalid file"
    /// A setting of the wrong type or out of range (`expected a Go duration …`, `must be
    /// positive`), a bad tag, template, scale factor or `network.address`, a duplicate output,
    /// or an `id` section that enables nothing. ``key`` names the setting when there is one.
    case invalidValue = "invalid value"
    /// A required setting is absent: `network` (or its `type`/`address`), or a variable listed
    /// in `id.useEnv` that is unset. ``key`` names it.
    case missingValue = "missing value"
    /// A device cannot be built: no `type`, an unregistered handler, output or transform, a
    /// duplicate device ID or alias, or a failed dynamic registration or setup action.
    /// Config devices are all checked first: one error lists every problem, each after the
    /// device's place in the config.
    case invalidDevice = "invalid device"
  }

  /// What kind of problem; match on this, not on the message.
  public let code: Code
  /// The file the problem is in, if it came from a file.
  public let file: String?
  /// The dotted key path, if one setting is at fault.
  public let key: String?
  /// What is wrong, for people (`must be 'tcp' or 'unix', got 'udp'`).
  public let message: String

  /// Creates an error; pass `file` and `key` whenever known, since the description is all a
  /// user sees.
  public init(_ code: Code, file: String? = nil, key: String? = nil, message: String) {
    self.code = code
    self.file = file
    self.key = key
    self.message = message
  }

  /// `config error (<code>) in <file> at key '<key>': <message>`, parts absent when unknown.
  public var description: String {
    var parts = ["config error (\(code.rawValue))"]
    if let file { parts.append("in \(file)") }
    if let key { parts.append("at key '\(key)'") }
    return parts.joined(separator: " ") + ": " + message
  }
}

extension ConfigError {
  /// This error with its key placed inside `dynamicRegistration.config[index]` (the item itself
  /// when the error names no key inside it), for a problem found in one registration item.
  public func inRegistrationItem(_ index: Int) -> ConfigError {
    let item = "dynamicRegistration.config[\(index)]"
    return ConfigError(code, file: file, key: key.map { $0.isEmpty ? item : "\(item).\($0)" } ?? item, message: message)
  }
}
