import EmulatorPlugin
import GRPCInProcessTransport
import Logging
import ServiceLifecycle
import SynseSDK

/// A plugin served in this process over an in-process gRPC transport.
struct EmbeddedPlugin: Service {
  let runtime: PluginRuntime
  let transport: InProcessTransport

  func run() async throws {
    try await runtime.serveInProcess(transport)
  }

  /// The plugins `plugin.embedded` names, each with the client end of its transport (for
  /// the registry) and the service that serves it. Known names: `emulator`.
  ///
  /// - Throws: ``SynseServerFailure`` (exit 2, logged) for an unknown name or a plugin whose
  ///   built-in configuration does not load.
  static func make(
    names: [String], continuingTraces: Bool, logger: Logger
  ) throws -> (clients: [String: InProcessTransport.Client], services: [EmbeddedPlugin]) {
    var clients: [String: InProcessTransport.Client] = [:]
    var services: [EmbeddedPlugin] = []
    for name in names {
      guard name == "emulator" else {
        logger.critical("unknown embedded plugin '\(name)' in plugin.embedded (known: emulator)")
        throw SynseServerFailure(exitCode: 2)
      }
      let transport = InProcessTransport()
      let runtime = try EmulatorPlugin.make().buildEmbedded(logger: Logger(label: "embedded-emulator"), continuingTraces: continuingTraces)
      clients[name] = transport.client
      services.append(EmbeddedPlugin(runtime: runtime, transport: transport))
    }
    return (clients, services)
  }
}
