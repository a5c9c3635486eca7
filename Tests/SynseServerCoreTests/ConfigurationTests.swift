import Foundation
import Testing
@testable import SynseServerCore

struct ConfigurationTests {
  func file(_ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("synse-server-\(UUID().uuidString.prefix(8)).yml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func defaultsMatchTheSpec() throws {
    let config = try ServerConfiguration.load(path: try file(""), environment: [:])
    #expect(config.logging == .debug && config.prettyJSON)
    #expect(config.cache.deviceRebuildEvery == .seconds(180) && config.cache.pluginRefreshEvery == .seconds(120))
    #expect(config.cache.transactionTTL == .seconds(300) && config.grpc.timeout == .seconds(3) && !config.metrics.enabled)
    #expect(config.tree.serialized(pretty: false) == #"{"logging":"debug","pretty_json":true,"plugin":{"tcp":[],"unix":[]},"cache":{"device":{"rebuild_every":180},"plugin":{"refresh_every":120},"transaction":{"ttl":300}},"grpc":{"timeout":3},"metrics":{"enabled":false}}"#)
  }

  @Test func environmentOverridesEveryKeyIncludingTheOnesTheOriginalIgnored() throws {
    let config = try ServerConfiguration.load(path: try file("logging: info\nplugin: {tcp: [a:1]}\ncustom: kept\n"), environment: [
      "SYNSE_LOGGING": "error", "SYNSE_PRETTY_JSON": "False", "SYNSE_PLUGIN_TCP": "x:1,y:2", "SYNSE_PLUGIN_UNIX": "p.sock",
      "SYNSE_CACHE_DEVICE_REBUILD_EVERY": "7", "SYNSE_CACHE_PLUGIN_REFRESH_EVERY": "8", "SYNSE_CACHE_TRANSACTION_TTL": "9",
      "SYNSE_GRPC_TIMEOUT": "10", "SYNSE_METRICS_ENABLED": "TRUE", "SYNSE_PLUGIN_DISCOVER_KUBERNETES_ENDPOINTS_LABELS_APP": "synse",
    ])
    #expect(config.logging == .error && !config.prettyJSON && config.metrics.enabled)
    #expect(config.plugin.tcp == ["x:1", "y:2"] && config.plugin.unix == ["p.sock"])
    #expect(config.cache.deviceRebuildEvery == .seconds(7) && config.cache.pluginRefreshEvery == .seconds(8))
    #expect(config.cache.transactionTTL == .seconds(9) && config.grpc.timeout == .seconds(10))
    let text = config.tree.serialized(pretty: false)
    #expect(text.contains(#""custom":"kept""#) && text.contains(#""labels":{"app":"synse"}"#))
  }

  @Test func emptyListVariablesAreUnsetExceptEmbeddedWhichTurnsItOff() throws {
    let path = try file("plugin: {tcp: [a:1], embedded: [emulator]}\n")
    let config = try ServerConfiguration.load(path: path, environment: ["SYNSE_PLUGIN_TCP": "", "SYNSE_PLUGIN_EMBEDDED": ""])
    #expect(config.plugin.tcp == ["a:1"] && config.plugin.embedded.isEmpty)
  }

  @Test func metricsOptionsFromFileAndEnvironment() throws {
    let path = try file("metrics: {enabled: true, ip_label: true, auth: {token: t}, statsd: {address: 'h:8125'}}\n")
    let config = try ServerConfiguration.load(path: path, environment: ["SYNSE_METRICS_PORT": "9100", "SYNSE_METRICS_READINGS": "false"])
    #expect(config.metrics.enabled && config.metrics.ipLabel && config.metrics.token == "t" && config.metrics.port == 9100)
    #expect(!config.metrics.readings && config.metrics.statsdAddress == "h:8125" && config.metrics.readingsTimeout == .seconds(2))
    #expect(throws: ConfigurationError.self) {
      try ServerConfiguration.load(path: try file("metrics: {auth: {username: u}}\n"), environment: [:])
    }
    #expect(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: ["SYNSE_METRICS_PORT": "99999"]) }
  }

  @Test(arguments: [
    ("logging: loud\n", [String: String](), "logging"),
    ("pretty_json: maybe\n", [:], "pretty_json"),
    ("cache: {device: {rebuild_every: soon}}\n", [:], "cache.device.rebuild_every"),
    ("", ["SYNSE_GRPC_TIMEOUT": "three"], "SYNSE_GRPC_TIMEOUT"),
    ("plugin: {tcp: host:1}\n", [:], "plugin.tcp"),
    ("", ["SYNSE_PLUGIN_TCP": "notahostport"], "plugin.tcp"),
    ("plugin: {tcp: ['::1:5001']}\n", [:], "plugin.tcp"),
    ("", ["SYNSE_PORT": "http"], "SYNSE_PORT"),
    ("port: 70000\n", [:], "'port'"),
    ("plugin: emulator\n", [:], "'plugin'"),
    ("metrics: 5\n", [:], "'metrics'"),
    ("cache: [1, 2]\n", [:], "'cache'"),
    ("grpc: {tls: yes}\n", [:], "'grpc.tls'"),
    ("metrics: {auth: secret}\n", [:], "'metrics.auth'"),
    ("ssl: {cert: a.pem}\n", [:], "ssl"),
    ("key: [unclosed\n", [:], "not valid YAML"),
  ])
  func badValuesAreClearStartupErrors(yaml: String, environment: [String: String], mentions: String) throws {
    let path = try file(yaml)
    let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: environment) }
    #expect(error.description.contains(mentions), "\(error)")
  }

  @Test func missingConfigFileIsAnError() {
    #expect(throws: ConfigurationError.self) { try ServerConfiguration.load(path: "/nonexistent/config.yml", environment: [:]) }
  }
}

/// Booleans, listen address and unknown keys: what an operator types must mean what it says.
struct ConfigurationWordsTests {
  func file(_ text: String) throws -> String {
    try ConfigurationTests().file(text)
  }

  @Test(arguments: [("true", true), ("TRUE", true), ("1", true), ("false", false), ("False", false), ("0", false)])
  func booleanVariablesTakeTrueFalseOneZero(raw: String, expected: Bool) throws {
    let config = try ServerConfiguration.load(path: try file(""), environment: ["SYNSE_METRICS_ENABLED": raw, "SYNSE_PRETTY_JSON": raw])
    #expect(config.metrics.enabled == expected && config.prettyJSON == expected)
  }

  @Test(arguments: ["yes", "on", "maybe", "no", "off", "2", "t"])
  func otherBooleanWordsStopStartupNamingTheVariable(raw: String) throws {
    let path = try file("")
    for variable in ["SYNSE_METRICS_ENABLED", "SYNSE_PRETTY_JSON"] {
      let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: [variable: raw]) }
      #expect(error.description.contains("\(variable)=\(raw)"), "\(error)")
    }
    let fileError = try #require(throws: ConfigurationError.self) {
      try ServerConfiguration.load(path: try file("metrics: {enabled: \(raw)}\n"), environment: [:])
    }
    #expect(fileError.description.contains("'metrics.enabled'"), "\(fileError)")
  }

  @Test func booleanKeysInTheFileTakeOneAndZeroAndAnEmptyVariableIsUnset() throws {
    let config = try ServerConfiguration.load(path: try file("metrics: {enabled: 1}\npretty_json: 0\n"), environment: ["SYNSE_METRICS_IP_LABEL": ""])
    #expect(config.metrics.enabled && !config.prettyJSON && !config.metrics.ipLabel)
  }

  @Test func hostAndPortComeFromTheFileAndTheEnvironment() throws {
    let defaults = try ServerConfiguration.load(path: try file(""), environment: [:])
    #expect(defaults.http.host == "0.0.0.0" && defaults.http.port == 5000)
    let fromFile = try ServerConfiguration.load(path: try file("host: 127.0.0.1\nport: 5050\n"), environment: [:])
    #expect(fromFile.http.host == "127.0.0.1" && fromFile.http.port == 5050 && fromFile.unknownKeys.isEmpty)
    let fromEnvironment = try ServerConfiguration.load(path: try file("port: 5050\n"), environment: ["SYNSE_PORT": "6000", "SYNSE_HOST": "::1"])
    #expect(fromEnvironment.http.host == "::1" && fromEnvironment.http.port == 6000)
    #expect(throws: ConfigurationError.self) { try ServerConfiguration.load(path: try file("port: 70000\n"), environment: [:]) }
  }

  @Test func keysNothingReadsAreListed() throws {
    let yaml = "custom: kept\nserver: {port: 5050}\nmetrics: {enabled: true, enable: true}\nssl:\nplugin: {discover: {kubernetes: {endpoints: {labels: {app: x}}}}}\n"
    let config = try ServerConfiguration.load(path: try file(yaml), environment: [:])
    #expect(Set(config.unknownKeys) == ["custom", "server.port", "metrics.enable"] && config.unknownKeys.count == 3)
  }

  @Test func aVariableDoesNotHideASectionOfTheWrongTypeInTheFile() throws {
    for (yaml, variable, key) in [("metrics: 5\n", "SYNSE_METRICS_ENABLED", "'metrics'"), ("plugin: x\n", "SYNSE_PLUGIN_EMBEDDED", "'plugin'"),
                                  ("grpc: {tls: 1}\n", "SYNSE_GRPC_TLS_CERT", "'grpc.tls'")] {
      let path = try file(yaml)
      let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: [variable: "true"]) }
      #expect(error.description.contains(key), "\(error)")
    }
  }

  @Test func aWronglyTypedCredentialIsNamedNotShown() throws {
    for yaml in ["metrics: {auth: {username: u, password: 12345678}}\n", "metrics: {auth: {token: [S3CRETPW]}}\n"] {
      let path = try file(yaml)
      let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: [:]) }
      #expect(error.description.contains("metrics.auth.") && !error.description.contains("12345678") && !error.description.contains("S3CRETPW"), "\(error)")
    }
  }

  @Test func mistypedVariablesAreListedAndListBlanksTrimmed() throws {
    let config = try ServerConfiguration.load(path: try file(""), environment: [
      "SYNSE_PLUGINS_TCP": "x:1", "SYNSE_PLUGIN_TCP": " 127.0.0.1:1 , 127.0.0.1:2", "SYNSE_PLUGIN_DISCOVER_KUBERNETES_ENDPOINTS_LABELS_APP": "a",
      "OTHER": "x",
    ])
    #expect(config.unknownVariables == ["SYNSE_PLUGINS_TCP"] && config.unknownKeys.isEmpty)
    #expect(config.plugin.tcp == ["127.0.0.1:1", "127.0.0.1:2"])
  }
}

struct ConfigurationSecretTests {
  @Test func credentialsNeverLeaveInTheConfigEndpointOrAnyPrintedForm() throws {
    let path = try ConfigurationTests().file("metrics: {enabled: true, auth: {token: t0ken-in-file}}\n")
    let config = try ServerConfiguration.load(path: path, environment: ["SYNSE_METRICS_AUTH_USERNAME": "u", "SYNSE_METRICS_AUTH_PASSWORD": "s3cret-env"])
    #expect(config.metrics.token == "t0ken-in-file" && config.metrics.password == "s3cret-env")
    struct Holder { let configuration: ServerConfiguration }
    for text in [String(describing: config), String(reflecting: config), String(describing: Holder(configuration: config)), String(describing: config.metrics),
                 ServerConfiguration.redacted(config.tree).serialized(pretty: false)] {
      #expect(!text.contains("t0ken-in-file") && !text.contains("s3cret-env") && text.contains("<redacted>"), "\(text)")
      #expect(text.contains("\"username\":\"u\"") || text.contains("username"), "\(text)")
    }
  }
}
