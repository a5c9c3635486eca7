import ArgumentParser
import EmulatorPlugin
import PluginCommand
import SynseSDK

/// `synse-emulator-plugin`: the Go SDK's flags, config from `PLUGIN_CONFIG` and
/// `PLUGIN_DEVICE_CONFIG` (or the built-in defaults: TCP :5001 and 29 devices).
@main
struct EmulatorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synse-emulator-plugin", abstract: "Synse plugin with emulated devices and data.")

  @OptionGroup var options: PluginOptions

  func run() async throws {
    try await options.run(as: "synse-emulator-plugin") { logger, flags in
      try await EmulatorPlugin.make().run(flags: flags, logger: logger)
    }
  }
}
