import ArgumentParser
import HwmonPlugin
import Logging
import SynseSDK

/// `synse-hwmon-plugin`: hwmon sensors and fans as Synse devices. Plugin config from
/// `PLUGIN_CONFIG` (default: TCP :5002, sysfs root `/sys`, or `HWMON_SYSFS_ROOT`).
@main
struct HwmonCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synse-hwmon-plugin", abstract: "Synse plugin for Linux hwmon sensors and fans.")

  @Flag(name: .long, help: "Enable debug logging.") var debug = false
  @Flag(name: .long, help: "Print version information and exit.") var version = false
  @Flag(name: .customLong("dry-run"), help: "Load config and discover devices, then exit.") var dryRun = false

  func run() async throws {
    PluginLogging.bootstrap(identifier: "synse-hwmon-plugin", debug: debug)
    let logger = Logger(label: "synse-hwmon-plugin")
    let hwmon = HwmonPlugin(logger: logger)
    defer { hwmon.restoreFanModes() }
    do {
      try await hwmon.plugin.run(flags: PluginFlags(debug: debug, version: version, dryRun: dryRun), logger: logger)
    } catch let error as ConfigError {
      logger.critical("\(error)")
      throw ExitCode(2)
    }
  }
}
