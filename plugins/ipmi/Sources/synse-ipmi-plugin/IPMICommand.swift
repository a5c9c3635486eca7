import ArgumentParser
import IPMIPlugin
import PluginCommand
import SynseSDK

/// `synse-ipmi-plugin`: the SDR sensors, chassis power and identify of IPMI BMCs over LAN as
/// Synse devices. Plugin config from `PLUGIN_CONFIG` (default: TCP :5004, polls every 10 s);
/// one BMC per `dynamicRegistration.config` item (docs/ipmi.md).
@main
struct IPMICommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "synse-ipmi-plugin", abstract: "Synse plugin for IPMI BMCs over LAN.")

  @OptionGroup var options: PluginOptions

  func run() async throws {
    try await options.run(as: "synse-ipmi-plugin") { logger, flags in
      let ipmi = IPMIPlugin(logger: logger)
      defer { ipmi.shutdown() }
      try await ipmi.plugin.run(flags: flags, logger: logger)
    }
  }
}
