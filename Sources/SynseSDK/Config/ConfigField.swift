public import Foundation
import SynseSupport

/// Checks for the fields of one plugin-specific config item (a `dynamicRegistration.config`
/// entry: a BMC, an SNMP target), shared so that every plugin reads `password`, `passwordFile`
/// and `timeout` alike and says the same thing about a bad one.
///
/// ```swift
/// let user = try ConfigField.present(item["username"]).map { v throws(ConfigError) in try ConfigField.string(v, key: "username") }
/// let secret = try ConfigField.secretFile(path, key: "passwordFile")   // "s3cret", trailing newline gone
/// let timeout = try ConfigField.duration(item["timeout"], key: "timeout", default: .seconds(5), in: .milliseconds(500) ... .seconds(600))
/// ```
public enum ConfigField {
  /// `null` (`~`, empty) counts as absent, as SDK look-ups treat it.
  public static func present(_ value: ConfigValue?) -> ConfigValue? {
    guard let value, value != .null else { return nil }
    return value
  }

  /// Refuses a key not in `known` and a key given twice: keys match case-insensitively (as
  /// the Go SDK's do), so `host` and `Host` in one item would otherwise pass and one be lost.
  /// - Throws: ``ConfigError`` `.invalidValue` naming the key.
  public static func checkKeys(_ pairs: [(key: String, value: ConfigValue)], known: [String], item: String) throws(ConfigError) {
    let names = Set(known.map { $0.lowercased() })
    var seen: Set<String> = []
    for pair in pairs {
      let lowered = pair.key.lowercased()
      guard names.contains(lowered) else {
        throw ConfigError(.invalidValue, key: pair.key, message: "unknown key '\(pair.key)'; \(item) has only \(known.joined(separator: ", "))")
      }
      guard seen.insert(lowered).inserted else {
        throw ConfigError(.invalidValue, key: pair.key, message: "'\(pair.key)' is given twice (keys ignore case)")
      }
    }
  }

  /// One item of a plugin's `dynamicRegistration.config` list (a BMC, an agent): a mapping of
  /// only `known` keys, each once, with the key `required`.
  /// - Parameters:
  ///   - name: the item as the messages name it, e.g. "an SNMP target".
  ///   - meaning: what `required` holds, e.g. "the agent's host:port, such as 10.0.0.9:161".
  /// - Returns: the value of `required`.
  /// - Throws: ``ConfigError`` `.invalidValue` for no mapping or a bad key; `.missingValue`
  ///   for no `required`.
  public static func registrationItem(_ item: ConfigValue, known: [String], name: String, required: String, meaning: String) throws(ConfigError)
    -> ConfigValue
  {
    guard let pairs = item.mapPairs else {
      throw ConfigError(.invalidValue, message: "\(name) entry must be a mapping with the keys \(known.joined(separator: ", "))")
    }
    try checkKeys(pairs, known: known, item: name)
    guard let value = present(item[required]) else { throw ConfigError(.missingValue, key: required, message: "required: \(meaning)") }
    return value
  }

  /// A string value. Credentials and names must be quoted strings: YAML would turn
  /// `password: 0123` into the integer 83.
  /// - Throws: ``ConfigError`` `.invalidValue` naming `key` for any other value.
  public static func string(_ value: ConfigValue, key: String) throws(ConfigError) -> String {
    guard case .string(let text) = value else { throw ConfigError(.invalidValue, key: key, message: "expected a string (quote it)") }
    return text
  }

  /// `text` unchanged when C code can take it as a NUL-terminated string (credentials and names
  /// handed to FreeIPMI or net-snmp): a NUL inside would cut it short there, silently.
  /// - Throws: ``ConfigError`` `.invalidValue` naming `key` for a text holding a NUL.
  public static func cString(_ text: String, key: String) throws(ConfigError) -> String {
    guard !text.utf8.contains(0) else {
      throw ConfigError(.invalidValue, key: key, message: "contains a NUL character, which C code would take as the end of the text")
    }
    return text
  }

  /// The bytes of a file a setting names (a password file, a CA file).
  ///
  /// Foundation's own errors name a Cocoa domain and code ("NSCocoaErrorDomain 256") for a
  /// directory or an unreadable file, so those causes are checked and said first.
  /// - Throws: ``ConfigError`` `.missingFile` naming `key` and the path: no such file, a
  ///   directory, not a regular file, permission denied.
  public static func file(_ path: String, key: String) throws(ConfigError) -> Data {
    // A relative path is the working directory's, which the message then shows.
    do {
      return try read(path, key: key)
    } catch where !path.hasPrefix("/") {
      let resolved = "'\(path)' (\(FileManager.default.currentDirectoryPath)/\(path))"
      throw ConfigError(error.code, key: key, message: error.message.replacingOccurrences(of: "'\(path)'", with: resolved))
    }
  }

  private static func read(_ path: String, key: String) throws(ConfigError) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw ConfigError(.missingFile, key: key, message: "cannot read '\(path)': no such file")
    }
    if isDirectory.boolValue {
      throw ConfigError(.missingFile, key: key, message: "cannot read '\(path)': it is a directory, not a file")
    }
    // stat follows symbolic links (Kubernetes mounts secrets as links into ..data/).
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      throw ConfigError(.missingFile, key: key, message: "cannot read '\(path)': not a regular file")
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw ConfigError(.missingFile, key: key, message: "cannot read '\(path)': permission denied")
    }
    do {
      return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
      throw ConfigError(.missingFile, key: key, message: "cannot read '\(path)': \(reason)")
    }
  }

  /// A secret file's text without its one trailing line end (`\n` or `\r\n`: editors and
  /// `echo` add one). Nothing here echoes the text.
  /// - Throws: ``ConfigError`` as ``file(_:key:)``, or `.invalidValue` for text not UTF-8.
  public static func secretFile(_ path: String, key: String) throws(ConfigError) -> String {
    let data = try file(path, key: key)
    guard var text = String(data: data, encoding: .utf8) else {
      throw ConfigError(.invalidValue, key: key, message: "'\(path)' is not UTF-8 text")
    }
    // "\r\n" is one Character in Swift: it neither has the suffix "\n" nor needs two removals.
    if text.hasSuffix("\n") || text.hasSuffix("\r\n") { text.removeLast() }
    return text
  }

  /// A Go duration string (`5s`, `1m30s`) within `range`, or `fallback` when absent.
  ///
  /// The text is bounded before parsing (at most 16 characters, digit runs of at most 6, no
  /// sign): no sensible timeout needs more, and ``GoDuration/parse(_:)`` then sees only short text.
  /// - Throws: ``ConfigError`` `.invalidValue` naming `key` and the range.
  public static func duration(
    _ value: ConfigValue?, key: String, default fallback: Duration, in range: ClosedRange<Duration>
  ) throws(ConfigError) -> Duration {
    guard let value = present(value) else { return fallback }
    guard case .string(let text) = value, text.count <= 16, !text.contains("-"), longestDigitRun(text) <= 6,
      let duration = GoDuration.parse(text), range.contains(duration)
    else {
      throw ConfigError(
        .invalidValue, key: key,
        message: "expected a Go duration from \(GoDuration.format(range.lowerBound)) to \(GoDuration.format(range.upperBound)), such as \(GoDuration.format(fallback))")
    }
    return duration
  }

  /// A whole number within `range`, or `fallback` when absent.
  /// - Throws: ``ConfigError`` `.invalidValue` naming `key` and the range.
  public static func integer(_ value: ConfigValue?, key: String, in range: ClosedRange<Int>, default fallback: Int) throws(ConfigError) -> Int {
    guard let value = present(value) else { return fallback }
    guard case .int(let number) = value, range.contains(Int(clamping: number)) else {
      throw ConfigError(.invalidValue, key: key, message: "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return Int(number)
  }

  /// One of an enumeration's raw values (case ignored), or `fallback` when absent.
  /// - Throws: ``ConfigError`` `.invalidValue` naming `key` and every choice.
  public static func choice<T: RawRepresentable & CaseIterable>(_ value: ConfigValue?, key: String, default fallback: T) throws(ConfigError) -> T
  where T.RawValue == String {
    guard let value = present(value) else { return fallback }
    guard case .string(let text) = value, let chosen = T.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
      throw ConfigError(.invalidValue, key: key, message: "expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return chosen
  }

  private static func longestDigitRun(_ text: String) -> Int {
    var longest = 0
    var run = 0
    for character in text {
      run = character.isASCII && character.isNumber ? run + 1 : 0
      longest = max(longest, run)
    }
    return longest
  }
}
