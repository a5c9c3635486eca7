import Foundation
import SynseSupport
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
  ///
  /// - Throws: ``ConfigurationError``, one line naming the file, key or variable: an
  ///   unreadable file, a YAML syntax error (with line and column), a value of the wrong
  ///   type, a broken cross-field rule (``validate(source:)``).
  public static func load(path: String?, environment: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
    var origins = ConfigurationOrigins(environment: environment)
    var tree = defaultTree
    if let file = path ?? searchPaths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
      origins.file = file
      origins.fileTree = try fileTree(file)
      tree = merge(tree, origins.fileTree)
    }
    tree = merge(tree, try environmentTree(environment))
    var configuration = try ServerConfiguration(tree: tree, origins: origins)
    configuration.configFile = origins.file
    // A mistyped variable (`SYNSE_PLUGINS_TCP`) would otherwise be ignored unsaid.
    let declared = Set(keys.filter { !$0.isMap }.map(\.variable))
    let mapPrefixes = keys.filter(\.isMap).map { $0.variable + "_" }
    configuration.unknownVariables = environment.keys.sorted()
      .filter { name in name.hasPrefix("SYNSE_") && !declared.contains(name) && !mapPrefixes.contains { name.hasPrefix($0) } }
    return configuration
  }

  /// The file's tree; a section of the wrong type is refused here, before the environment is
  /// merged, and only here: the environment and the defaults put nothing but mappings at
  /// section paths, while a variable such as `SYNSE_METRICS_ENABLED=true` would replace a
  /// `metrics: 5` of the file and hide it.
  static func fileTree(_ file: String) throws(ConfigurationError) -> JSONValue {
    guard let data = FileManager.default.contents(atPath: file) else { throw ConfigurationError("cannot read config file \(file)") }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigurationError("config file \(file) is not UTF-8 text (a config file is read as UTF-8; re-save it in that encoding)")
    }
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch {
      throw ConfigurationError("config file \(file) is not valid YAML: \((error as? YamlError)?.oneLine ?? "\(error)")")
    }
    guard let node else { return .object([]) }
    guard case .mapping = node else { throw ConfigurationError("config file \(file): the top level must be a mapping") }
    let tree = try json(from: node, file: file)
    if let (section, found) = misplacedSection(in: tree) {
      throw ConfigurationError("invalid configuration (\(file)): '\(section.joined(separator: "."))' must be a mapping of its keys, got \(found.serialized(pretty: false))")
    }
    return tree
  }

  /// The `SYNSE_*` variables of ``keys`` as a tree; a map key takes `<VARIABLE>_<NAME>`.
  static func environmentTree(_ environment: [String: String]) throws(ConfigurationError) -> JSONValue {
    var tree = JSONValue.object([])
    for key in keys where !key.isMap {
      guard let raw = environment[key.variable] else { continue }
      switch key.environmentValue(raw) {
      case .unset: continue
      case .value(let value): tree = merge(tree, nested(key.path, value))
      case .invalid(let expected):
        let shown = key.secret || !key.secretFields.isEmpty ? redactedValue : raw
        throw ConfigurationError("invalid configuration (\(key.variable)=\(shown)): '\(key.dotted)' must be \(expected)")
      }
    }
    for key in keys where key.isMap {
      let prefix = key.variable + "_"
      for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix(prefix) && !value.isEmpty {
        let rest = name.dropFirst(prefix.count).lowercased().split(separator: "_").map(String.init)
        tree = merge(tree, nested(key.path + rest, .string(value)))
      }
    }
    return tree
  }

  /// The typed configuration from the merged tree: each key of ``keys`` that the tree sets
  /// replaces its default, then the cross-field rules run.
  ///
  /// - Throws: ``ConfigurationError`` naming the key, where its value came from (the file or
  ///   the variable) and what is wrong with it (a credential's value is never shown).
  init(tree: JSONValue, origins: ConfigurationOrigins) throws(ConfigurationError) {
    self.init()
    self.tree = tree
    unknownKeys = Self.unknownKeys(in: tree)
    for key in Self.keys {
      guard let found = Self.value(at: key.path, in: tree) else { continue }
      if let problem = key.apply(found, &self) {
        throw ConfigurationError("invalid configuration (\(origins.origin(of: key) ?? "defaults")): \(problem)")
      }
    }
    plugin.discoverKubernetes = Self.value(at: ["plugin", "discover", "kubernetes"], in: tree) != nil
    if let file = health.rulesFile {
      do throws(HealthRuleError) {
        health.fileRules = try HealthRules.load(file: file)
      } catch {
        throw ConfigurationError("invalid configuration (\(origins.origin(of: ["health.rules_file"]))): \(error)")
      }
      // A rule's name is the source /v3/device/{id}/thresholds shows: one per rule, over both lists.
      if let (index, rule) = health.rules.rules.enumerated().first(where: { _, rule in health.fileRules.rules.contains { $0.name == rule.name } }) {
        throw ConfigurationError(
          "invalid configuration (\(origins.origin(of: ["health.rules"]))): 'health.rules[\(index)].name' '\(rule.name)' is also the name of a rule in \(file)")
      }
    }
    do throws(AuthConfigurationError) {
      if let file = auth.tokensFile { auth.tokens = try StaticTokens.load(file: file) }
      try auth.jwt.load()
    } catch {
      let keys = Self.keys.map(\.dotted).filter { $0 == error.key || $0.hasPrefix(error.key + ".") }
      throw ConfigurationError("invalid configuration (\(origins.origin(of: keys))): \(error)")
    }
    try validate(origins: origins)
  }

  /// The node at `path`, nil when absent or `null`.
  static func value(at path: [String], in tree: JSONValue) -> JSONValue? {
    var current = tree
    for key in path {
      guard case .object(let pairs) = current, let next = pairs.last(where: { $0.0 == key })?.1 else { return nil }
      current = next
    }
    return current == .null ? nil : current
  }
}
