import ArgumentParser
import Logging
import RedfishPlugin
import SynseSDK

/// `synse-redfish-plugin`: sensors, LEDs, power and PDU outlets of Redfish BMCs as Synse
/// devices. Plugin config from `PLUGIN_CONFIG` (default: TCP :5003, polls every 10 s); one BMC
/// per `dynamicRegistration.config` item (docs/redfish.md).
@main
struct RedfishCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synse-redfish-plugin", abstract: "Synse plugin for Redfish BMCs and PDUs.")

  @Flag(name: .long, help: "Enable debug logging.") var debug = false
  @Flag(name: .long, help: "Print version information and exit.") var version = false
  @Flag(name: .customLong("dry-run"), help: "Load config and discover devices, then exit.") var dryRun = false

  func run() async throws {
    PluginLogging.bootstrap(identifier: "synse-redfish-plugin", debug: debug)
    let logger = Logger(label: "synse-redfish-plugin")
    let redfish = RedfishPlugin(logger: logger)
    do {
      try await redfish.plugin.run(flags: PluginFlags(debug: debug, version: version, dryRun: dryRun), logger: logger)
    } catch let error as ConfigError {
      logger.critical("\(error)")
      await redfish.shutdown()
      throw ExitCode(2)
    }
    // Sessions are deleted so a BMC's few session slots are not left taken until they expire.
    await redfish.shutdown()
    if !version { logger.info("stopped polling and logged out of every BMC") }
  }
}
