import Foundation
import Testing
@testable import SynseSDK

struct ConfigLoaderTests {
  /// A temporary directory holding the given files.
  func directory(_ files: [String: String]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synse-config-\(UUID().uuidString.prefix(8))")
    for (name, text) in files {
      let url = dir.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try text.write(to: url, atomically: true, encoding: .utf8)
    }
    return dir.path
  }

  @Test func pluginConfigFromSearchPathWithEnvironmentOverlay() throws {
    let dir = try directory(["config/config.yml": """
      version: 3
      debug: true
      network: {type: unix, address: emu.sock}
      settings:
        Mode: serial
        read: {interval: 2s, delay: 10ms}
        cache: {enabled: yes, ttl: 1m}
      """])
    let loader = ConfigLoader(environment: ["PLUGIN_SETTINGS_READ_INTERVAL": "500ms", "PLUGIN_ID_USECUSTOM": "a,b"], workingDirectory: dir)
    let config = try loader.loadPluginConfig()
    #expect(config.debug)
    #expect(config.mode == .serial)
    #expect(config.read.interval == .milliseconds(500))
    #expect(config.read.delay == .milliseconds(10))
    #expect(config.cacheEnabled && config.cacheTTL == .seconds(60))
    #expect(config.id.useCustom == ["a", "b"])
    #expect(try PluginAddress(config.network!) == .unix(path: "/tmp/synse/emu.sock"))
  }

  @Test func defaultsWithoutAnyConfig() throws {
    let config = try ConfigLoader(environment: [:], workingDirectory: try directory([:])).loadPluginConfig()
    #expect(config == PluginConfig())
    #expect(config.transactionTTL == .seconds(300) && config.write.batchSize == 128 && config.id.usePluginTag)
  }

  @Test func badValueNamesFileAndKey() throws {
    let dir = try directory(["config.yaml": "settings:\n  read:\n    interval: soon\n"])
    let error = try #require(throws: ConfigError.self) {
      try ConfigLoader(environment: [:], workingDirectory: dir).loadPluginConfig()
    }
    #expect(error.key == "settings.read.interval")
    #expect(error.file?.hasSuffix("config.yaml") == true)
    #expect(error.description.contains("soon"))
  }

  @Test func badNetworkTypeIsAnError() throws {
    let dir = try directory(["config.yml": "network: {type: udp, address: ':1'}\n"])
    let error = try #require(throws: ConfigError.self) {
      try ConfigLoader(environment: [:], workingDirectory: dir).loadPluginConfig()
    }
    #expect(error.key == "network.type")
  }

  @Test func dynamicRegistrationConfigThatIsNotAListIsNamedWithoutATrailingDot() throws {
    let dir = try directory(["config.yml": "dynamicRegistration:\n  config:\n    endpoint: https://bmc\n"])
    let error = try #require(throws: ConfigError.self) {
      try ConfigLoader(environment: [:], workingDirectory: dir).loadPluginConfig()
    }
    #expect(error.key == "dynamicRegistration.config" && error.message.hasPrefix("expected a list"), "\(error)")
  }

  @Test func missingOverridePathIsAnError() throws {
    let loader = ConfigLoader(environment: ["PLUGIN_CONFIG": "/nonexistent/plugin.yml", "PLUGIN_DEVICE_CONFIG": "/nonexistent/dev"], workingDirectory: "/")
    #expect(throws: ConfigError.self) { try loader.loadPluginConfig() }
    #expect(throws: ConfigError.self) { try loader.deviceConfigFiles() }
  }

  @Test func malformedYAMLIsAnError() throws {
    let dir = try directory(["config.yml": "network: [unclosed\n"])
    let error = try #require(throws: ConfigError.self) {
      try ConfigLoader(environment: [:], workingDirectory: dir).loadPluginConfig()
    }
    #expect(error.code == .invalidFile)
  }

  @Test func deviceConfigDirectoryMergesFilesInNameOrder() throws {
    let dir = try directory([
      "devices/b.yaml": "version: 3\ndevices:\n  - type: led\n    instances: [{info: second, data: {id: 2}}]\n",
      "devices/a.yml": "version: 3\ndevices:\n  - type: led\n    instances: [{info: first, data: {id: 1}}]\n",
      "devices/ignored.txt": "not yaml",
    ])
    let loader = ConfigLoader(environment: ["PLUGIN_DEVICE_CONFIG": dir + "/devices"], workingDirectory: dir)
    let files = try loader.deviceConfigFiles()
    #expect(files.map { ($0 as NSString).lastPathComponent } == ["a.yml", "b.yaml"])
    let config = try loader.loadDeviceConfig(files: files)
    #expect(config.devices.flatMap(\.instances).map(\.info) == ["first", "second"])
  }
}
