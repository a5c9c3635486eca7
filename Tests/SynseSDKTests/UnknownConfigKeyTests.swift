import Foundation
import Testing
@testable import SynseSDK

/// Issue 16 item 4: a plugin config key or `PLUGIN_*` override the SDK does not read is
/// reported once, by name and file, instead of silently keeping the default.
struct UnknownConfigKeyTests {
  func directory(_ files: [String: String]) throws -> String { try ConfigLoaderTests().directory(files) }

  @Test func misspelledKeysAndSectionsAreNamedWithTheirFile() throws {
    let dir = try directory(["config.yml": """
      version: 3
      network: {type: tcp, adress: ':5001', tls: {sikpVerify: true}}
      setings: {read: {interval: 2s}}
      settings:
        Read: {Intervall: 2s, delay: 1s}
        mode: serial
      Health: {checks: {disableDefaults: true, extra: 1}}
      dynamicRegistration: {config: [{anything: goes}]}
      """])
    let loader = ConfigLoader(environment: [:], workingDirectory: dir)
    let file = try #require(try loader.pluginConfigFiles().first)
    let unknown = try loader.unknownPluginConfigKeys()
    #expect(unknown.map(\.key) == ["network.adress", "network.tls.sikpVerify", "setings", "settings.Read.Intervall", "Health.checks.extra"])
    #expect(unknown.allSatisfy { $0.source == file && file.hasSuffix("config.yml") })
    #expect(UnknownConfigKey(key: "setings", source: file).description
      == "plugin config key 'setings' in \(file) is not one the SDK knows; it is ignored")
  }

  @Test func overrideVariablesThatNameNoKey() throws {
    let loader = ConfigLoader(
      environment: [
        "PLUGIN_SETINGS_READ_INTERVAL": "2s", "PLUGIN_SETTINGS_READ_INTERVAL": "2s", "PLUGIN_NETWORK_ADDRESS": ":5002",
        "PLUGIN_ID_USEMACHINEID": "true", "PLUGIN_ADRESS": "x", "PLUGIN_DEVICE_CONFIG": "/d", "SYNSE_PORT": "1",
      ], workingDirectory: try directory([:]))
    #expect(try loader.unknownPluginConfigKeys() == ["PLUGIN_ADRESS", "PLUGIN_SETINGS_READ_INTERVAL"].map {
      UnknownConfigKey(key: $0, source: "environment")
    })
    #expect(UnknownConfigKey(key: "PLUGIN_ADRESS", source: "environment").description
      == "variable 'PLUGIN_ADRESS' names no plugin config key the SDK knows; it is ignored")
  }

  @Test func everyDeclaredKeyIsKnown() throws {
    // Each key of the one declaration, in the file and as a variable, draws no warning.
    var environment: [String: String] = [:]
    for key in PluginConfig.keys { environment["PLUGIN_" + key.path.joined(separator: "_").uppercased()] = "x" }
    let trees = try PluginConfig.keys.map { try YAMLReader.parse("\($0.path.reversed().reduce("x") { "{\($1): \($0)}" })", file: "t") }
    #expect(trees.flatMap { PluginConfig.unknownKeys(in: $0) } == [])
    let loader = ConfigLoader(environment: environment, workingDirectory: try directory([:]))
    #expect(try loader.unknownPluginConfigKeys() == [])
  }
}
