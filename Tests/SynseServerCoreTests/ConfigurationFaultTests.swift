import Foundation
import Testing
@testable import SynseServerCore

/// Faults found by a newcomer's trial, each fixed for its whole kind: the tables run over
/// every declared key (``ServerConfiguration/keys``), so a key added later is covered too.
struct ConfigurationFaultTests {
  func file(_ text: String) throws -> String { try ConfigurationTests().file(text) }

  /// `{a: {b: VALUE}}` for the dotted path `a.b`.
  func yaml(_ key: ConfigurationKey, _ value: String) -> String {
    key.path.reversed().reduce(value) { inner, name in "{\(name): \(inner)}" } + "\n"
  }

  func loadError(_ yaml: String, _ environment: [String: String] = [:]) throws -> String {
    let path = try file(yaml)
    let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: environment) }
    #expect(!error.description.contains("\n"), "\(error)")
    return error.description.replacingOccurrences(of: path, with: "FILE")
  }

  static let listKeys = ServerConfiguration.keys.filter { if case .array = $0.defaultValue() { true } else { false } }

  @Test func everyListKeyRefusesABlankEntryNamingKeyAndSource() throws {
    #expect(Set(Self.listKeys.map(\.dotted)) == ["plugin.tcp", "plugin.unix", "plugin.embedded"])
    for key in Self.listKeys {
      for raw in ["s1,,", ",a:1", " , a:1", "emulator,"] {
        let error = try loadError("", [key.variable: raw])
        #expect(error.hasPrefix("invalid configuration (\(key.variable)): '\(key.dotted)' has a blank entry"), "\(error)")
      }
      for entries in ["['']", "['a:1', '  ']"] {
        let error = try loadError(yaml(key, entries))
        #expect(error.hasPrefix("invalid configuration (FILE): '\(key.dotted)' has a blank entry"), "\(error)")
      }
    }
  }

  @Test(arguments: ["statsd", "statsd:0", "statsd:99999", "statsd:port", "[::1", "::1:8125", ":"])
  func aStatsDAddressIsAHostPortWithADialablePortWhateverMetricsEnabledSays(address: String) throws {
    for enabled in ["true", "false"] {
      let fromFile = try loadError("metrics: {enabled: \(enabled), statsd: {address: '\(address)'}}\n")
      #expect(fromFile.hasPrefix("invalid configuration (FILE): 'metrics.statsd.address' must be host:port with a port from 1 to 65535"), "\(fromFile)")
      let fromVariable = try loadError("", ["SYNSE_METRICS_ENABLED": enabled, "SYNSE_METRICS_STATSD_ADDRESS": address])
      #expect(fromVariable.hasPrefix("invalid configuration (SYNSE_METRICS_STATSD_ADDRESS): 'metrics.statsd.address'"), "\(fromVariable)")
    }
  }

  @Test func goodStatsDAddressesAreTaken() throws {
    for address in ["statsd:8125", "[::1]:8125", "127.0.0.1:1", ":8125"] {
      let config = try ServerConfiguration.load(path: try file(""), environment: ["SYNSE_METRICS_STATSD_ADDRESS": address])
      #expect(config.metrics.statsdAddress == address)
    }
  }

  /// docs/api-v3.md §9.3 and the README: an empty variable is unset, for every key; only
  /// `plugin.embedded` documents that empty means none (its default, so the tree shows `[]`).
  @Test func anEmptyVariableIsUnsetForEveryDeclaredKey() throws {
    let path = try file("")
    let defaults = try ServerConfiguration.load(path: path, environment: [:])
    for key in ServerConfiguration.keys {
      let variable = key.isMap ? key.variable + "_APP" : key.variable
      let config = try ServerConfiguration.load(path: path, environment: [variable: ""])
      if key.dotted == "plugin.embedded" {
        #expect(config.plugin.embedded.isEmpty)
        continue
      }
      #expect(config.tree == defaults.tree, "\(variable)= set something: \(config.tree.serialized(pretty: false))")
      #expect(config.unknownVariables.isEmpty && config.metrics == defaults.metrics && config.http == defaults.http, "\(variable)")
    }
    // An empty token leaves the file's token (and never locks /metrics with an empty one).
    let withToken = try ServerConfiguration.load(path: try file("metrics: {auth: {token: t}}\n"), environment: ["SYNSE_METRICS_AUTH_TOKEN": ""])
    #expect(withToken.metrics.token == "t")
    #expect(try ServerConfiguration.load(path: path, environment: ["SYNSE_METRICS_AUTH_TOKEN": ""]).metrics.token == nil)
  }

  @Test(arguments: [
    ("logging: info\nlogging: debug\n", "line 2, column 1: duplicate key 'logging' (first at line 1, column 1)"),
    ("plugin:\n  tcp: []\n  unix: []\n  tcp: [a:1]\n", "line 4, column 3: duplicate key 'tcp' (first at line 2, column 3)"),
    ("metrics: {enabled: true, enabled: false}\n", "line 1, column 26: duplicate key 'enabled' (first at line 1, column 11)"),
  ])
  func aDuplicateKeyIsOneLineNamingFileLineAndColumnOfTheDuplicate(yaml: String, expected: String) throws {
    #expect(try loadError(yaml) == "config file FILE is not valid YAML: \(expected)")
  }

  /// An empty token locked `/metrics` for everyone; an empty username and password let `-u :` in.
  @Test(arguments: ["token", "username", "password"], ["\"\"", "\"  \""])
  func aBlankMetricsCredentialIsRefusedNamingItsKey(key: String, value: String) throws {
    let error = try loadError("metrics: {enabled: true, auth: {\(key): \(value)}}\n")
    #expect(error.hasPrefix("invalid configuration (FILE): 'metrics.auth.\(key)'"), "\(error)")
    #expect(error.contains("non-blank"), "\(error)")
  }

  @Test(arguments: ["\"\"", "'a b'", "\"a\\tb\""])
  func anOTelResourceAttributeNeedsAName(name: String) throws {
    let error = try loadError("otel: {resource_attributes: {\(name): x}}\n")
    #expect(error.hasPrefix("invalid configuration (FILE): 'otel.resource_attributes' must be a mapping of attribute names"), "\(error)")
    let good = try ServerConfiguration.load(path: try file("otel: {resource_attributes: {site: dc1, k8s.pod.name: p}}\n"), environment: [:])
    #expect(good.otel.resourceAttributes == ["site": "dc1", "k8s.pod.name": "p"])
  }

  @Test func aMetricsHostWithoutAPortIsAStartupErrorNamingBoth() throws {
    let fromFile = try loadError("metrics: {host: 127.0.0.1}\n")
    #expect(fromFile.hasPrefix("invalid configuration (FILE): 'metrics.host' needs 'metrics.port'"), "\(fromFile)")
    let fromVariable = try loadError("", ["SYNSE_METRICS_HOST": "127.0.0.1"])
    #expect(fromVariable.hasPrefix("invalid configuration (SYNSE_METRICS_HOST): 'metrics.host' needs 'metrics.port'"), "\(fromVariable)")
    let both = try ServerConfiguration.load(path: try file(""), environment: ["SYNSE_METRICS_HOST": "127.0.0.1", "SYNSE_METRICS_PORT": "9100"])
    #expect(both.metrics.host == "127.0.0.1" && both.metrics.port == 9100)
  }

  @Test(arguments: [
    ("", ["SYNSE_SSL_CERT": "/nonexist", "SYNSE_SSL_KEY": "/x"], "invalid configuration (SYNSE_SSL_CERT): ssl.cert: no such file: /nonexist"),
    ("ssl: {cert: /nonexist, key: /x}\n", [:], "invalid configuration (FILE): ssl.cert: no such file: /nonexist"),
    ("ssl: {cert: /nonexist}\n", [:], "invalid configuration (FILE): 'ssl' needs both 'cert' and 'key'"),
    ("", ["SYNSE_SSL_KEY": "/x"], "invalid configuration (SYNSE_SSL_KEY): 'ssl' needs both 'cert' and 'key'"),
    ("", ["SYNSE_GRPC_TIMEOUT": "-1"], "invalid configuration (SYNSE_GRPC_TIMEOUT): 'grpc.timeout' must be an integer number of seconds from 1 to 1000000000, got -1"),
    ("grpc: {timeout: -1}\n", [:], "invalid configuration (FILE): 'grpc.timeout' must be an integer number of seconds from 1 to 1000000000, got -1"),
    // 2^63 - 1 seconds passed and trapped in the first Task.sleep.
    ("cache: {device: {rebuild_every: 9223372036854775807}}\n", [:],
     "invalid configuration (FILE): 'cache.device.rebuild_every' must be an integer number of seconds from 1 to 1000000000, got 9223372036854775807"),
    ("grpc: {timeout: 5}\n", ["SYNSE_GRPC_TIMEOUT": "0"], "invalid configuration (SYNSE_GRPC_TIMEOUT): 'grpc.timeout' must be"),
    ("", ["SYNSE_PORT": "http"], "invalid configuration (SYNSE_PORT=http): 'port' must be an integer"),
    ("", ["SYNSE_METRICS_AUTH_USERNAME": "u"], "invalid configuration (SYNSE_METRICS_AUTH_USERNAME): 'metrics.auth' needs"),
  ])
  func everyErrorNamesTheFileOrTheVariableTheBadValueCameFrom(yaml: String, environment: [String: String], expected: String) throws {
    let error = try loadError(yaml, environment)
    #expect(error.hasPrefix(expected), "\(error)")
    #expect(!error.contains("defaults"), "\(error)")
  }

  @Test func aFileThatIsNotUTF8SaysSo() throws {
    let path = try file("")
    try Data([0x6c, 0x6f, 0x67, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: path))
    let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: [:]) }
    #expect(error.description.hasPrefix("config file \(path) is not UTF-8 text"), "\(error)")
  }

  @Test func unknownKeysAndVariablesAreOneWarningEachNamingTheirSource() throws {
    let path = try file("custom: kept\nserver: {port: 5050}\n")
    let config = try ServerConfiguration.load(path: path, environment: ["SYNSE_PORTT": "5000", "OTHER": "x"])
    #expect(config.unknownKeyWarnings == [
      "key 'custom' in \(path) is not one synse-server knows; it is ignored",
      "key 'server.port' in \(path) is not one synse-server knows; it is ignored",
      "environment variable SYNSE_PORTT is not one synse-server knows; it is ignored",
    ])
  }

  /// YAML quotes make a string: refused wherever a boolean or an integer is declared, as the
  /// original's typed options (bison `field_type`) refuse it.
  @Test func aQuotedScalarIsRefusedWhereverABooleanOrIntegerIsDeclared() throws {
    var checked = 0
    for key in ServerConfiguration.keys {
      let sample: String
      switch key.defaultValue() {
      case .bool(let flag): sample = "\(flag)"
      case .int(let number): sample = "\(number)"
      default: continue
      }
      let error = try loadError(yaml(key, "\"\(sample)\""))
      #expect(error.hasPrefix("invalid configuration (FILE): '\(key.dotted)' must be "), "\(error)")
      #expect(error.hasSuffix("got \"\(sample)\" (a quoted string: write it without quotes)"), "\(error)")
      checked += 1
    }
    #expect(checked >= 10)
    for (yaml, expected) in [("pretty_json: \"true\"\n", "true, false, 1 or 0"), ("port: \"5000\"\n", "an integer"), ("metrics: {port: '9100'}\n", "an integer")] {
      #expect(try loadError(yaml).contains("must be \(expected), got"))
    }
  }
}
