import ArgumentParser
import Logging
import RedfishPlugin
import SynseSDK

/// `synse-redfish-plugin`: sensors, LEDs, power and PDU outlets of Redfish BMCs as Synse
/// devices. Plugin config from `PLUGIN_CONFIG`; one BMC per `dynamicRegistration.config` item.
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
    _ = logger
    // Assembled by the plugin work (issue 18): RedfishPlugin builds the SDK Plugin.
    throw ValidationError("synse-redfish-plugin is not assembled yet")
  }
}
