import Foundation
import Logging
import Synchronization
import Testing
@testable import SynseSDK

/// `Plugin.prepare`: asynchronous discovery run between loading the config and building the
/// devices, so a synchronous registrar has its results for the first device set.
struct PluginPrepareTests {
  /// What `prepare` found and the item counts it saw.
  final class Found: Sendable {
    let names = Mutex<[String]>([])
    let seen = Mutex<[Int]>([])
  }

  /// A plugin whose registrar makes one device per name that `prepare` found.
  func plugin(_ found: Found) -> Plugin {
    var plugin = Plugin(metadata: PluginMetadata(name: "prep", maintainer: "test"), version: PluginVersion(pluginVersion: "1"))
    plugin.register(handler: DeviceHandler(name: "thing", read: { _ in [] }))
    plugin.prepare = { config in
      try await Task.sleep(for: .milliseconds(20))  // really asynchronous
      found.seen.withLock { $0.append(config.dynamicRegistration.count) }
      found.names.withLock { $0 = ["a", "b"] }
    }
    plugin.dynamicRegistrar = { item in
      var prototype = DeviceConfig.Prototype()
      prototype.type = "thing"
      prototype.instances = found.names.withLock { $0 }.map { name in
        var instance = DeviceConfig.Instance()
        instance.data = .map([("name", .string(name)), ("item", item["x"] ?? .string(""))])
        return instance
      }
      return [prototype]
    }
    return plugin
  }

  func loader() throws -> ConfigLoader {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synse-prepare-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let config = dir.appendingPathComponent("config.yml")
    try "version: 3\nnetwork: {type: tcp, address: ':0'}\ndynamicRegistration: {config: [{x: 1}, {x: 2}]}\n"
      .write(to: config, atomically: true, encoding: .utf8)
    return ConfigLoader(environment: ["PLUGIN_CONFIG": config.path], workingDirectory: dir.path)
  }

  @Test func loadPreparedRunsPrepareOnceBeforeTheFirstDevices() async throws {
    let found = Found()
    let runtime = try await plugin(found).loadPrepared(loader: loader(), logger: Logger(label: "test"))
    #expect(runtime.devices.devices.count == 4)  // two items, two names each
    #expect(found.seen.withLock { $0 } == [2])
  }

  @Test func synchronousLoadDoesNotRunPrepare() throws {
    let found = Found()
    let runtime = try plugin(found).load(loader: loader(), logger: Logger(label: "test"))
    #expect(runtime.devices.devices.isEmpty)
    #expect(found.seen.withLock { $0 }.isEmpty)
  }

  @Test func aFailingPrepareStopsStartup() async throws {
    var failing = plugin(Found())
    failing.prepare = { (_: PluginConfig) in throw ConfigError(.invalidValue, key: "dynamicRegistration.config[0].endpoint", message: "bad") }
    await #expect(throws: ConfigError.self) {
      try await failing.run(flags: PluginFlags(dryRun: true), loader: try loader(), logger: Logger(label: "test"))
    }
    // Its error names the plugin config file, as a registrar's does.
    let error = await #expect(throws: ConfigError.self) {
      _ = try await failing.loadPrepared(loader: try loader(), logger: Logger(label: "test"))
    }
    #expect(error?.file != nil && error?.key == "dynamicRegistration.config[0].endpoint", "\(String(describing: error))")
  }

  /// A registrar refusing a whole item (not one of its keys) names the item and the file.
  @Test func aRefusedItemIsNamedWithItsIndexAndFile() throws {
    var refusing = plugin(Found())
    refusing.dynamicRegistrar = { item throws(ConfigError) in
      guard item["x"] != .int(2) else { throw ConfigError(.invalidValue, message: "an entry must be a mapping") }
      return []
    }
    let error = try #require(throws: ConfigError.self) { _ = try refusing.load(loader: try loader(), logger: Logger(label: "test")) }
    #expect(error.key == "dynamicRegistration.config[1]" && error.file?.hasSuffix("config.yml") == true, "\(error)")
  }
}

/// `Plugin.configuredHealthChecks`: checks named after the loaded config's items.
struct ConfiguredHealthCheckTests {
  @Test func checksMadeFromTheConfigFollowTheFixedOnes() throws {
    var plugin = Plugin(metadata: PluginMetadata(name: "checks", maintainer: "test"), version: PluginVersion(pluginVersion: "1"))
    plugin.healthChecks = [HealthCheck(name: "fixed") {}]
    plugin.configuredHealthChecks = { config in
      config.dynamicRegistration.indices.map { index in HealthCheck(name: "item \(index)") {} }
    }
    var config = PluginConfig()
    config.dynamicRegistration = [.map([]), .map([])]
    config.health.disableDefaultChecks = true
    let runtime = try plugin.build(config: config, deviceConfig: DeviceConfig(devices: []), environment: [:], logger: Logger(label: "test"))
    #expect(runtime.health.checks.map(\.name) == ["fixed", "item 0", "item 1"])
  }
}
