import ArgumentParser
import Logging
import PluginCommand
import SynseSDK
import RedfishPlugin

/// `synse-redfish-plugin`: sensors, LEDs, power and PDU outlets of Redfish BMCs as Synse
/// devices. Plugin config from `PLUGIN_CONFIG` (default: TCP :5003, polls every 10 s); one BMC
/// per `dynamicRegistration.config` item (docs/redfish.md).
@main
struct RedfishCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synse-redfish-plugin", abstract: "Synse plugin for Redfish BMCs and PDUs.")

  @OptionGroup var options: PluginOptions

  func run() async throws {
    try await options.run(as: "synse-redfish-plugin") { logger, flags in
      let redfish = RedfishPlugin(logger: logger)
      do {
        try await redfish.plugin.run(flags: flags, logger: logger)
      } catch {
        await redfish.shutdown()
        throw error
      }
      // Sessions are deleted so a BMC's few session slots are not left taken until they expire.
      await redfish.shutdown()
      if !flags.version { logger.info("stopped polling and logged out of every BMC") }
    }
  }
}
