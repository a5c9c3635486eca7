import SynseSupport

/// Typed, error-reporting access to a ``ConfigValue`` tree: every failure names the file
/// and the dotted key path.
struct ConfigReader {
  let value: ConfigValue
  let file: String?
  let path: String

  init(_ value: ConfigValue, file: String?, path: String = "") {
    self.value = value
    self.file = file
    self.path = path
  }

  func child(_ key: String) -> ConfigReader? {
    guard let child = value[key], child != .null else { return nil }
    return ConfigReader(child, file: file, path: path.isEmpty ? key : "\(path).\(key)")
  }

  func error(_ key: String, _ message: String) -> ConfigError {
    // An empty `key` is the reader's own value (no trailing dot: "dynamicRegistration.config.").
    ConfigError(.invalidValue, file: file, key: path.isEmpty ? key : key.isEmpty ? path : "\(path).\(key)", message: message)
  }

  func string(_ key: String) throws(ConfigError) -> String? {
    guard let child = child(key) else { return nil }
    guard let text = child.value.weakString else { throw error(key, "expected a string") }
    return text
  }

  func bool(_ key: String) throws(ConfigError) -> Bool? {
    guard let child = child(key) else { return nil }
    switch child.value {
    case .bool(let flag): return flag
    case .int(let number): return number != 0
    case .string(let text):
      switch text.lowercased() {
      case "1", "t", "true", "yes", "on": return true
      case "0", "f", "false", "no", "off", "": return false
      default: break
      }
    default: break
    }
    throw error(key, "expected true or false, got \(GoFormat.value(child.value))")
  }

  func int(_ key: String) throws(ConfigError) -> Int? {
    guard let child = child(key) else { return nil }
    switch child.value {
    case .int(let number): return Int(number)
    case .string(let text):
      if case .int(let number) = YAMLReader.resolvePlain(text) { return Int(number) }
    case .float(let number) where number == number.rounded(): return Int(number)
    default: break
    }
    throw error(key, "expected an integer, got \(GoFormat.value(child.value))")
  }

  /// A Go duration string; a bare integer is nanoseconds, as in the Go SDK.
  func duration(_ key: String) throws(ConfigError) -> Duration? {
    guard let child = child(key) else { return nil }
    switch child.value {
    case .int(let number): return .nanoseconds(number)
    case .string(let text):
      if let duration = GoDuration.parse(text) { return duration }
    default: break
    }
    throw error(key, "expected a Go duration such as 500ms, 1s or 2m30s, got \(GoFormat.value(child.value))")
  }

  func strings(_ key: String) throws(ConfigError) -> [String]? {
    guard let child = child(key) else { return nil }
    switch child.value {
    case .list(let items):
      var result: [String] = []
      for item in items {
        guard let text = item.weakString else { throw error(key, "expected a list of strings") }
        result.append(text)
      }
      return result
    case .string(let text):
      return text.split(separator: ",").map { String($0) }
    default:
      throw error(key, "expected a list of strings")
    }
  }
}
