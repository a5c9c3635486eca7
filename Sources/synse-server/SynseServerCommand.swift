import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SynseServer
import SynseServerApp
import Systemd
import UnixSignals

/// `synse-server --config FILE --host H --port P`: flags win over the file and `SYNSE_*`.
/// Exit codes: 2 for bad configuration or setup, 1 when a listener cannot bind.
@main
struct SynseServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "synse-server", abstract: "The Synse v3 HTTP API server.")

  @Option(help: "Configuration file (default: ./config.yml, ./config.yaml, /etc/synse/server/config.{yml,yaml}).")
  var config: String?
  @Option(help: "Address to listen on (default: the `host` key, 0.0.0.0).") var host: String?
  // A String, taken as is even when it starts with '-', so PortFlag gives every bad value one line and exit 2.
  @Option(parsing: .unconditional, help: "Port to listen on, 0-65535 (default: the `port` key, 5000).") var port: String?

  func run() async throws {
    do {
      let port = try port.map(PortFlag.parse)
      let server = try SynseServerServices(configPath: config, environment: ProcessInfo.processInfo.environment)
      if let failure = await server.checkAuthentication() { throw failure }
      server.bootstrapLogging(identifier: "synse-server")
      let logger = Logger(label: "synse-server")
      let services = try server.services(host: host, port: port, logger: logger)
      let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
      do {
        try await group.run()
      } catch let error as ListenError {
        // The group has logged it too; this line is the one a newcomer reads.
        throw SynseServerFailure(exitCode: 1, message: "\(error)")
      }
    } catch let failure as SynseServerFailure {
      if let message = failure.message { FileHandle.standardError.write(Data("synse-server: \(message)\n".utf8)) }
      throw ExitCode(failure.exitCode)
    }
  }
}
