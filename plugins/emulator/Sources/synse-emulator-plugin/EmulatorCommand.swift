import ArgumentParser
import EmulatorPlugin
import Logging
import SynseSDK

/// `synse-emulator-plugin`: the Go SDK's flags, config from `PLUGIN_CONFIG` and
/// `PLUGIN_DEVICE_CONFIG` (or the built-in defaults: TCP :5001 and 29 devices).
@main
struct EmulatorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synse-emulator-plugin", abstract: "Synse plugin with emulated devices and data.")

  @Flag(name: .long, help: "Enable debug logging.") var debug = false
  @Flag(name: .long, help: "Print version information and exit.") var version = false
  @Flag(name: .customLong("dry-run"), help: "Load config and build devices, then exit.") var dryRun = false

  func run() async throws {
    PluginLogging.bootstrap(identifier: "synse-emulator-plugin", debug: debug)
    let logger = Logger(label: "synse-emulator-plugin")
    do {
      try await EmulatorPlugin.make().run(flags: PluginFlags(debug: debug, version: version, dryRun: dryRun), logger: logger)
    } catch let error as ConfigError {
      logger.critical("\(error)")
      throw ExitCode(2)
    }
  }
}

