import Foundation
import Yams

/// A configuration problem found at startup; the message names the source and key.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

extension ServerConfiguration {
  /// The files searched when no `--config` is given, first match wins.
  public static let searchPaths = ["./config.yml", "./config.yaml", "/etc/synse/server/config.yml", "/etc/synse/server/config.yaml"]

  /// Loads defaults, then the YAML file (`path`, or the first of ``searchPaths``), then
  /// `SYNSE_*` environment variables, and validates the result.
  public static func load(path: String?, environment: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
    var tree = defaultTree
    var source = "defaults"
    let file = path ?? searchPaths.first { FileManager.default.fileExists(atPath: $0) }
    if let file {
      guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
        throw ConfigurationError("cannot read config file \(file)")
      }
      do {
        if let node = try Yams.compose(yaml: text) {
          guard case .mapping = node else { throw ConfigurationError("config file \(file): the top level must be a mapping") }
          let fileTree = try json(from: node, file: file)
          // Checked here, before the environment is merged, and only here: the environment
          // and the defaults put nothing but mappings at section paths, while a variable such
          // as `SYNSE_METRICS_ENABLED=true` would replace a `metrics: 5` of the file and hide it.
          if let (section, found) = misplacedSection(in: fileTree) {
            throw ConfigurationError("invalid configuration (\(file)): '\(section.joined(separator: "."))' must be a mapping of its keys, got \(found.serialized(pretty: false))")
          }
          tree = merge(tree, fileTree)
        }
      } catch let error as ConfigurationError {
        throw error
      } catch {
        throw ConfigurationError("config file \(file) is not valid YAML: \(error)")
      }
      source = file
    }
    tree = merge(tree, try environmentTree(environment))
    var configuration = try ServerConfiguration(tree: tree, source: source)
    // A mistyped variable (`SYNSE_PLUGINS_TCP`) would otherwise be ignored unsaid.
    let declared = Set(environmentKeys.map(\.variable))
    configuration.unknownKeys += environment.keys.sorted()
      .filter { $0.hasPrefix("SYNSE_") && !declared.contains($0) && !$0.hasPrefix(labelVariablePrefix) }
      .map { "\($0) (environment)" }
    return configuration
  }

  static let defaultTree: JSONValue = .object([
    ("logging", .string("debug")), ("pretty_json", .bool(true)),
    ("plugin", .object([("tcp", .array([])), ("unix", .array([]))])),
    ("cache", .object([
      ("device", .object([("rebuild_every", .int(180))])),
      ("plugin", .object([("refresh_every", .int(120))])),
      ("transaction", .object([("ttl", .int(300))])),
    ])),
    ("grpc", .object([("timeout", .int(3))])),
    ("metrics", .object([("enabled", .bool(false))])),
  ])

  /// Every key and its environment variable; list keys take comma lists, booleans take
  /// ``parseBool(_:)``'s words (anything else stops startup naming the variable).
  static let environmentKeys: [(path: [String], variable: String, kind: Kind)] = [
    (["logging"], "SYNSE_LOGGING", .string), (["pretty_json"], "SYNSE_PRETTY_JSON", .bool),
    (["host"], "SYNSE_HOST", .string), (["port"], "SYNSE_PORT", .int),
    (["plugin", "tcp"], "SYNSE_PLUGIN_TCP", .list), (["plugin", "unix"], "SYNSE_PLUGIN_UNIX", .list),
    (["plugin", "embedded"], "SYNSE_PLUGIN_EMBEDDED", .listEmptyMeansNone),
    (["plugin", "discover", "kubernetes", "namespace"], "SYNSE_PLUGIN_DISCOVER_KUBERNETES_NAMESPACE", .string),
    (["plugin", "discover", "kubernetes", "credentials"], "SYNSE_PLUGIN_DISCOVER_KUBERNETES_CREDENTIALS", .string),
    (["cache", "device", "rebuild_every"], "SYNSE_CACHE_DEVICE_REBUILD_EVERY", .int),
    (["cache", "plugin", "refresh_every"], "SYNSE_CACHE_PLUGIN_REFRESH_EVERY", .int),
    (["cache", "transaction", "ttl"], "SYNSE_CACHE_TRANSACTION_TTL", .int),
    (["grpc", "timeout"], "SYNSE_GRPC_TIMEOUT", .int), (["grpc", "tls", "cert"], "SYNSE_GRPC_TLS_CERT", .string),
    (["grpc", "tls", "client_cert"], "SYNSE_GRPC_TLS_CLIENT_CERT", .string),
    (["grpc", "tls", "client_key"], "SYNSE_GRPC_TLS_CLIENT_KEY", .string),
    (["ssl", "cert"], "SYNSE_SSL_CERT", .string), (["ssl", "key"], "SYNSE_SSL_KEY", .string),
    (["metrics", "enabled"], "SYNSE_METRICS_ENABLED", .bool),
    (["metrics", "ip_label"], "SYNSE_METRICS_IP_LABEL", .bool),
    (["metrics", "readings"], "SYNSE_METRICS_READINGS", .bool),
    (["metrics", "readings_timeout"], "SYNSE_METRICS_READINGS_TIMEOUT", .int),
    (["metrics", "host"], "SYNSE_METRICS_HOST", .string), (["metrics", "port"], "SYNSE_METRICS_PORT", .int),
    (["metrics", "auth", "username"], "SYNSE_METRICS_AUTH_USERNAME", .string),
    (["metrics", "auth", "password"], "SYNSE_METRICS_AUTH_PASSWORD", .string),
    (["metrics", "auth", "token"], "SYNSE_METRICS_AUTH_TOKEN", .string),
    (["metrics", "statsd", "address"], "SYNSE_METRICS_STATSD_ADDRESS", .string),
    (["metrics", "statsd", "prefix"], "SYNSE_METRICS_STATSD_PREFIX", .string),
    (["http", "max_body_size"], "SYNSE_HTTP_MAX_BODY_SIZE", .int),
  ]

  /// `list` and `bool`: an empty value is unset (docs/api-v3.md §9.3; `X=${X}` in a compose file);
  /// `listEmptyMeansNone`: an empty value is the empty list, so `SYNSE_PLUGIN_EMBEDDED=` turns
  /// embedded plugins off.
  enum Kind { case string, bool, int, list, listEmptyMeansNone }

  static func environmentTree(_ environment: [String: String]) throws(ConfigurationError) -> JSONValue {
    var tree = JSONValue.object([])
    for (path, variable, kind) in environmentKeys {
      guard let raw = environment[variable], !((kind == .list || kind == .bool) && raw.isEmpty) else { continue }
      let value: JSONValue
      switch kind {
      case .string: value = .string(raw)
      case .bool:
        // The original took anything but `true` as false, so `=1` or `=yes` silently turned a
        // feature off; an operator's typo now stops startup instead.
        guard let flag = parseBool(raw) else { throw ConfigurationError("\(variable)=\(raw): expected true, false, 1 or 0") }
        value = .bool(flag)
      // `a:1, b:2` as typed in a compose file: blanks around the commas are not part of an address.
      case .list: value = .array(raw.split(separator: ",", omittingEmptySubsequences: false).map { .string($0.trimmingCharacters(in: .whitespaces)) })
      case .listEmptyMeansNone: value = .array(raw.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
      case .int:
        guard let number = Int64(raw) else { throw ConfigurationError("\(variable)=\(raw): expected an integer") }
        value = .int(number)
      }
      tree = merge(tree, nested(path, value))
    }
    let labelPrefix = labelVariablePrefix
    for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix(labelPrefix) {
      let rest = name.dropFirst(labelPrefix.count).lowercased().split(separator: "_").map(String.init)
      tree = merge(tree, nested(["plugin", "discover", "kubernetes", "endpoints", "labels"] + rest, .string(value)))
    }
    return tree
  }

  /// `true`/`false` in any case, `1`/`0`: the words servers of this kind document for their
  /// `…_ENABLED` variables. Nil for anything else (`yes`, `on`, `maybe`).
  static func parseBool(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "1": true
    case "false", "0": false
    default: nil
    }
  }

  /// The mappings that hold keys (`plugin`, `metrics.auth`, …), dotted paths split.
  static let sections: [[String]] = {
    var seen: Set<[String]> = []
    return environmentKeys.flatMap { key in (1..<key.path.count).map { Array(key.path[..<$0]) } }.filter { seen.insert($0).inserted }
  }()

  /// The first section of `tree` that holds something other than a mapping (`metrics: 5`,
  /// `plugin: emulator`), which would otherwise drop every key below it unsaid.
  static func misplacedSection(in tree: JSONValue) -> ([String], JSONValue)? {
    for section in sections {
      var current = tree
      for key in section {
        guard case .object(let pairs) = current, let next = pairs.last(where: { $0.0 == key })?.1 else { current = .null; break }
        current = next
      }
      switch current {
      case .null, .object: continue
      default: return (section, current)
      }
    }
    return nil
  }

  /// The paths of `tree`'s leaves that no key declares (`port:` under the wrong parent, a typo),
  /// dotted; a declared map (`…endpoints.labels`) takes any key below it.
  static func unknownKeys(in tree: JSONValue) -> [String] {
    let known = Set(environmentKeys.map { $0.path.joined(separator: ".") })
    let maps = ["plugin.discover.kubernetes.endpoints.labels"]
    let parents = Set(sections.map { $0.joined(separator: ".") } + [""])
    var unknown: [String] = []
    func walk(_ node: JSONValue, _ path: [String]) {
      let dotted = path.joined(separator: ".")
      if known.contains(dotted) || maps.contains(dotted) { return }
      if case .object(let pairs) = node {
        for (key, value) in pairs { walk(value, path + [key]) }
      } else if !parents.contains(dotted) {
        unknown.append(dotted)
      }
    }
    walk(tree, [])
    return unknown
  }

  static let labelVariablePrefix = "SYNSE_PLUGIN_DISCOVER_KUBERNETES_ENDPOINTS_LABELS_"

  static func nested(_ path: [String], _ value: JSONValue) -> JSONValue {
    path.reversed().reduce(value) { inner, key in .object([(key, inner)]) }
  }

  /// Maps merge key by key; anything else in `overlay` replaces `base`.
  static func merge(_ base: JSONValue, _ overlay: JSONValue) -> JSONValue {
    guard case .object(var pairs) = base, case .object(let overlayPairs) = overlay else { return overlay }
    for (key, value) in overlayPairs {
      if let index = pairs.firstIndex(where: { $0.0 == key }) {
        pairs[index].1 = merge(pairs[index].1, value)
      } else {
        pairs.append((key, value))
      }
    }
    return .object(pairs)
  }

  static func json(from node: Node, file: String) throws(ConfigurationError) -> JSONValue {
    switch node {
    case .scalar(let scalar):
      if scalar.style != .plain { return .string(scalar.string) }
      // Only `true`/`false` are booleans here: YAML 1.1's `yes`/`on` stay text, so a boolean
      // key given `yes` is refused by name rather than read as something else.
      if ["true", "false"].contains(scalar.string.lowercased()) { return .bool(scalar.string.lowercased() == "true") }
      if let number = node.int { return .int(Int64(number)) }
      if node.null != nil { return .null }
      if let number = node.float { return .double(number) }
      return .string(scalar.string)
    case .sequence(let sequence):
      var items: [JSONValue] = []
      for item in sequence { items.append(try json(from: item, file: file)) }
      return .array(items)
    case .mapping(let mapping):
      var pairs: [(String, JSONValue)] = []
      for (key, value) in mapping { pairs.append((key.string ?? "", try json(from: value, file: file))) }
      return .object(pairs)
    case .alias:
      throw ConfigurationError("config file \(file): YAML aliases are not supported")
    }
  }
}
