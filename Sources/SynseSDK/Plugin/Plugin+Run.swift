import Foundation
public import Logging
import ServiceLifecycle
import UnixSignals

extension Plugin {
  /// Runs the plugin as a process: handles `--version` and `--dry-run`, loads the
  /// configuration (running ``prepare``), then serves until SIGTERM or SIGINT (in-flight writes are finished and
  /// the socket file removed before it returns).
  ///
  /// - Throws: ``ConfigError`` for bad configuration, or what serving throws.
  public func run(flags: PluginFlags, loader: ConfigLoader = ConfigLoader(), logger: Logger) async throws {
    if flags.version {
      print(version.summary)
      return
    }
    let runtime = try await loadPrepared(loader: loader, logger: logger)
    if ProcessInfo.processInfo.environment["LISTEN_FDS"] == nil {
      _ = try runtime.address()  // fail before serving; socket activation needs no address
    }
    if flags.dryRun {
      logger.info("dry run: configuration and devices are valid", metadata: ["devices": "\(runtime.devices.devices.count)"])
      return
    }
    let group = ServiceGroup(
      configuration: .init(
        services: try runtime.services(), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
  }
}
