import ArgumentParser
import IPMIPlugin
import Logging
import SynseSDK

/// `synse-ipmi-plugin`: the SDR sensors, chassis power and identify of IPMI BMCs over LAN as
/// Synse devices. Plugin config from `PLUGIN_CONFIG` (default: TCP :5004, polls every 10 s);
/// one BMC per `dynamicRegistration.config` item (docs/ipmi.md).
@main
struct IPMICommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "synse-ipmi-plugin", abstract: "Synse plugin for IPMI BMCs over LAN.")

  @Flag(name: .long, help: "Enable debug logging.") var debug = false
  @Flag(name: .long, help: "Print version information and exit.") var version = false
  @Flag(name: .customLong("dry-run"), help: "Load config and discover devices, then exit.") var dryRun = false

  func run() async throws {
    PluginLogging.bootstrap(identifier: "synse-ipmi-plugin", debug: debug)
    let logger = Logger(label: "synse-ipmi-plugin")
    let ipmi = IPMIPlugin(logger: logger)
    defer { ipmi.shutdown() }
    do {
      try await ipmi.plugin.run(flags: PluginFlags(debug: debug, version: version, dryRun: dryRun), logger: logger)
    } catch let error as ConfigError {
      logger.critical("\(error)")
      throw ExitCode(2)
    }
  }
}
