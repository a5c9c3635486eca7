import ArgumentParser
import Logging
import SNMPPlugin
import SynseSDK

/// `synse-snmp-plugin`: PDUs, UPSs and environmental sensors over SNMP as Synse devices. Plugin
/// config from `PLUGIN_CONFIG` (default: TCP :5005, polls every 10 s); one agent per
/// `dynamicRegistration.config` item; profiles from `SNMP_PROFILES_DIR` over the shipped ones
/// (docs/snmp.md).
@main
struct SNMPCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "synse-snmp-plugin", abstract: "Synse plugin for SNMP PDUs, UPSs and sensors.")

  @Flag(name: .long, help: "Enable debug logging.") var debug = false
  @Flag(name: .long, help: "Print version information and exit.") var version = false
  @Flag(name: .customLong("dry-run"), help: "Load config and discover devices, then exit.") var dryRun = false

  func run() async throws {
    PluginLogging.bootstrap(identifier: "synse-snmp-plugin", debug: debug)
    let logger = Logger(label: "synse-snmp-plugin")
    let snmp = SNMPPlugin(logger: logger)
    defer { snmp.shutdown() }
    do {
      try await snmp.plugin.run(flags: PluginFlags(debug: debug, version: version, dryRun: dryRun), logger: logger)
    } catch let error as ConfigError {
      logger.critical("\(error)")
      throw ExitCode(2)
    }
  }
}
