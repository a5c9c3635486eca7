import ArgumentParser
import PluginCommand
import SynseSDK
import SNMPPlugin

/// `synse-snmp-plugin`: PDUs, UPSs and environmental sensors over SNMP as Synse devices. Plugin
/// config from `PLUGIN_CONFIG` (default: TCP :5005, polls every 10 s); one agent per
/// `dynamicRegistration.config` item; profiles from `SNMP_PROFILES_DIR` over the shipped ones
/// (docs/snmp.md).
@main
struct SNMPCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "synse-snmp-plugin", abstract: "Synse plugin for SNMP PDUs, UPSs and sensors.")

  @OptionGroup var options: PluginOptions

  func run() async throws {
    try await options.run(as: "synse-snmp-plugin") { logger, flags in
      let snmp = SNMPPlugin(logger: logger)
      defer { snmp.shutdown() }
      try await snmp.plugin.run(flags: flags, logger: logger)
    }
  }
}
