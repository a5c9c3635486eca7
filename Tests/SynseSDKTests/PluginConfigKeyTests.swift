import Foundation
import SynseSupport
import Testing
@testable import SynseSDK

/// The one declaration of each plugin config key (``PluginConfig/keys``) against the Go SDK's
/// table (docs/plugin-protocol.md §3.1.2): same names, same defaults.
struct PluginConfigKeyTests {
  /// Our keys beyond the Go SDK's.
  static let extensions: Set<String> = ["metrics.address", "dynamicRegistration.rescanInterval", "otel.enabled"]
  /// The Go SDK's keys read outside ``PluginConfig/keys`` (`network`, opaque registrar input),
  /// or not at all (the deprecated listener loop the SDK does not have).
  static let readApart: Set<String> = [
    "network.type", "network.address", "network.tls.cert", "network.tls.key", "network.tls.caCerts", "network.tls.skipVerify",
    "dynamicRegistration.config", "settings.listen.disable",
  ]

  /// Key → default cell of the spec's table.
  func specTable() throws -> [String: String] {
    let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/plugin-protocol.md").standardized
    let text = try String(contentsOf: spec, encoding: .utf8)
    let section = try #require(text.components(separatedBy: "#### 3.1.2 Keys and defaults").dropFirst().first?.components(separatedBy: "\n#### ").first)
    var table: [String: String] = [:]
    for line in section.split(separator: "\n") where line.hasPrefix("| `") {
      let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
      table[cells[0]] = cells[2]
    }
    return table
  }

  @Test func theDeclaredKeysAreTheGoSDKsPlusTheExtensions() throws {
    let spec = Set(try specTable().keys)
    let declared = PluginConfig.keys.map(\.dotted)
    #expect(Set(declared).count == declared.count)
    #expect(Set(declared).subtracting(Self.extensions) == spec.subtracting(Self.readApart))
  }

  @Test func theInitialisersDefaultsAreTheGoSDKs() throws {
    let spec = try specTable()
    for key in PluginConfig.keys where !Self.extensions.contains(key.dotted) {
      let cell = try #require(spec[key.dotted])
      switch key.defaultValue() {
      case .string(let text) where GoDuration.parse(text) != nil:
        #expect(GoDuration.parse(cell) == GoDuration.parse(text), "\(key.dotted): \(cell) vs \(text)")
      case .list(let items): #expect(items.isEmpty && cell == "[]", "\(key.dotted)")
      case let value: #expect(YAMLReader.resolvePlain(cell) == value, "\(key.dotted): \(cell) vs \(value)")
      }
    }
  }

  /// Libyaml's message spans three lines; the error is one line with file, line and column.
  @Test func aYAMLSyntaxErrorIsOneLineWithFileLineAndColumn() throws {
    let dir = try ConfigLoaderTests().directory(["config.yml": "debug: true\nnetwork: [unclosed\n"])
    let error = try #require(throws: ConfigError.self) { try ConfigLoader(environment: [:], workingDirectory: dir).loadPluginConfig() }
    #expect(error.code == .invalidFile && !error.description.contains("\n"), "\(error)")
    #expect(error.description.contains("config.yml: not valid YAML: line 3, column 1: "), "\(error)")
  }

  /// Yams reports a duplicate key with the whole file as "Context"; it is one line naming the duplicate.
  @Test func aDuplicateKeyIsOneLineNamingTheDuplicate() throws {
    let dir = try ConfigLoaderTests().directory(["config.yml": "debug: true\nnetwork: {type: tcp}\ndebug: false\n"])
    let error = try #require(throws: ConfigError.self) { try ConfigLoader(environment: [:], workingDirectory: dir).loadPluginConfig() }
    #expect(error.code == .invalidFile && !error.description.contains("\n") && !error.description.contains("Context"), "\(error)")
    #expect(error.description.contains("config.yml: not valid YAML: line 3, column 1: duplicate key 'debug' (first at line 1, column 1)"), "\(error)")
  }

  @Test func aKeySetOnlyInTheEnvironmentKeepsTheOthersDefaults() throws {
    let loader = ConfigLoader(environment: ["PLUGIN_SETTINGS_WRITE_BATCHSIZE": "7", "PLUGIN_ID_USEMACHINEID": "true"], workingDirectory: try ConfigLoaderTests().directory([:]))
    let config = try loader.loadPluginConfig()
    var expected = PluginConfig()
    expected.write.batchSize = 7
    expected.id.useMachineID = true
    #expect(config == expected)
    let zero = ConfigLoader(environment: ["PLUGIN_SETTINGS_WRITE_BATCHSIZE": "0"], workingDirectory: loader.workingDirectory)
    let error = try #require(throws: ConfigError.self) { try zero.loadPluginConfig() }
    #expect(error.key == "settings.write.batchSize", "\(error)")
  }

  /// A zero or negative loop interval spun the read or write loop and pinned a core; a negative
  /// delay or lifetime means nothing. Each is refused naming its key, from a file or a variable.
  @Test(arguments: [
    ("settings.read.interval", "0s"), ("settings.read.interval", "-1s"), ("settings.write.interval", "0s"),
    ("settings.write.interval", "-5s"), ("health.updateInterval", "0s"), ("settings.read.delay", "-1ms"),
    ("settings.write.delay", "-1s"), ("settings.transaction.ttl", "-1m"), ("settings.cache.ttl", "-1s"),
  ])
  func aLoopIntervalMustBePositiveAndNoDurationNegative(key: String, value: String) throws {
    let variable = "PLUGIN_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    let dir = try ConfigLoaderTests().directory(["config.yml": "version: 3\n"])
    let error = try #require(throws: ConfigError.self) {
      try ConfigLoader(environment: [variable: value], workingDirectory: dir).loadPluginConfig()
    }
    #expect(error.description.contains(key.split(separator: ".").last!) && error.description.contains("must"), "\(error)")
  }

  /// As on the server, an empty variable is unset: `PLUGIN_NETWORK_ADDRESS=` kept no address at all.
  @Test func anEmptyVariableIsUnset() throws {
    let dir = try ConfigLoaderTests().directory(["config.yml": "version: 3\nsettings: {read: {interval: 2s}}\nnetwork: {type: tcp, address: ':5009'}\n"])
    let config = try ConfigLoader(
      environment: ["PLUGIN_SETTINGS_READ_INTERVAL": "", "PLUGIN_NETWORK_ADDRESS": "", "PLUGIN_DEBUG": ""], workingDirectory: dir
    ).loadPluginConfig()
    #expect(config.read.interval == .seconds(2))
    #expect(config.network?.address == ":5009")
  }
}
