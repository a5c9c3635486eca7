import Yams

/// A configuration value with parts, read by a parser whose errors name the nested key
/// (`'webhooks[1].types' has unknown event type …`, `'health.rules[0].tags' …`): lists of
/// mappings such as `webhooks` and `health.rules`. From the file as YAML, from its `SYNSE_*`
/// variable as JSON (or YAML flow) text; never written back into the tree (`/v3/config` shows
/// the merged tree itself, secrets redacted).
protocol ParsedConfigurationValue: ConfigurationValue {
  associatedtype ParseError: Error & CustomStringConvertible
  /// - Throws: `ParseError`, whose description names the key and what is wrong (one line,
  ///   never a secret's value).
  static func parse(configuration json: JSONValue) throws(ParseError) -> Self
  /// The key's variable, named in errors about its text.
  static var variable: String { get }
}

extension ParsedConfigurationValue {
  init?(configuration json: JSONValue) {
    guard let parsed = try? Self.parse(configuration: json) else { return nil }
    self = parsed
  }

  static func problem(with json: JSONValue) -> String? {
    do throws(ParseError) {
      _ = try parse(configuration: json)
      return nil
    } catch {
      return error.description
    }
  }

  var configurationValue: JSONValue? { nil }

  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue {
    guard let node = try? Yams.compose(yaml: raw), let json = try? ServerConfiguration.json(from: node, file: variable) else {
      return .invalid(expected: expected)
    }
    return .value(json)
  }
}

/// One mapping of a list key (`webhooks[1]`, `health.rules[0]`).
enum ConfigurationEntry {
  /// The mapping's fields, `null` ones left out.
  ///
  /// - Parameters:
  ///   - at: the entry's key (`webhooks[1]`).
  ///   - known: the fields it may have; any other is refused (a misspelt `secrt` must not be
  ///     silently ignored).
  ///   - shape: what the entry must be, for the error (`a mapping with at least 'url'`).
  ///   - noun: what a field is a field of (`webhook`).
  ///   - failure: the caller's error from a key and a message.
  static func fields<Failure: Error>(
    of json: JSONValue, at: String, known: [String], shape: String, noun: String, failure: (String, String) -> Failure
  ) throws(Failure) -> [String: JSONValue] {
    guard case .object(let pairs) = json else { throw failure(at, "must be \(shape), got \(json.serialized(pretty: false))") }
    var entry: [String: JSONValue] = [:]
    for (field, value) in pairs {
      guard known.contains(field) else { throw failure("\(at).\(field)", "is not a \(noun) field (known: \(known.joined(separator: ", ")))") }
      if value != .null { entry[field] = value }
    }
    return entry
  }
}
