import ArgumentParser
import HwmonPlugin
import PluginCommand
import SynseSDK

/// `synse-hwmon-plugin`: hwmon sensors and fans as Synse devices. Plugin config from
/// `PLUGIN_CONFIG` (default: TCP :5002, sysfs root `/sys`, or `HWMON_SYSFS_ROOT`).
@main
struct HwmonCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synse-hwmon-plugin", abstract: "Synse plugin for Linux hwmon sensors and fans.")

  @OptionGroup var options: PluginOptions

  func run() async throws {
    try await options.run(as: "synse-hwmon-plugin") { logger, flags in
      let hwmon = HwmonPlugin(logger: logger)
      defer { hwmon.restoreFanModes() }
      try await hwmon.plugin.run(flags: flags, logger: logger)
    }
  }
}
