public import ArgumentParser
public import Logging
public import SynseSDK

/// The Go SDK's command-line flags (`--debug`, `--version`, `--dry-run`), shared by every plugin
/// executable, and how each of them starts: logging bootstrapped under the executable's name, a
/// ``ConfigError`` logged as critical and exit status 2.
///
/// ```swift
/// @main struct SNMPCommand: AsyncParsableCommand {
///   @OptionGroup var options: PluginOptions
///   func run() async throws {
///     try await options.run(as: "synse-snmp-plugin") { logger, flags in
///       try await SNMPPlugin(logger: logger).plugin.run(flags: flags, logger: logger)
///     }
///   }
/// }
/// ```
public struct PluginOptions: ParsableArguments {
  @Flag(name: .long, help: "Enable debug logging.") public var debug = false
  @Flag(name: .long, help: "Print version information and exit.") public var version = false
  @Flag(name: .customLong("dry-run"), help: "Load config and build devices, then exit.") public var dryRun = false

  public init() {}

  public var flags: PluginFlags { PluginFlags(debug: debug, version: version, dryRun: dryRun) }

  /// Bootstraps logging as `identifier` and runs `body` with its logger and the flags.
  /// - Throws: `ExitCode(2)` for a ``ConfigError`` (logged first); what else `body` throws.
  public func run(as identifier: String, _ body: (Logger, PluginFlags) async throws -> Void) async throws {
    PluginLogging.bootstrap(identifier: identifier, debug: debug)
    let logger = Logger(label: identifier)
    do {
      try await body(logger, flags)
    } catch let error as ConfigError {
      logger.critical("\(error)")
      throw ExitCode(2)
    }
  }
}
