import GRPCCore
import GRPCInProcessTransport
import Logging
import SynseProtocol
import Testing
@testable import SynseSDK

/// Serving in-process, as Synse Server embeds a plugin: the same gRPC API, no socket.
struct InProcessTests {
  @Test func inProcessClientSeesDevicesAndReadings() async throws {
    let config = try DeviceConfig(tree: YAMLReader.parse(PluginServiceTests.devices, file: "t"), file: "t")
    let runtime = try PluginServiceTests.makePlugin().build(config: .fast, deviceConfig: config, environment: [:], logger: Logger(label: "t"))
    let transport = InProcessTransport()
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await runtime.serveInProcess(transport) }
      try await withGRPCClient(transport: transport.client) { grpc async throws -> Void in
        let client = Synse_V3Plugin.Client(wrapping: grpc)
        #expect(try await client.metadata(Synse_Empty()).id == runtime.pluginID)
        #expect(try await client.devices(Synse_V3DeviceSelector()) { try await Array($0.messages) }.count == 5)
        #expect(try await eventually {
          try await client.read(Synse_V3ReadRequest()) { try await Array($0.messages) }.count == 5
        })
      }
      group.cancelAll()
    }
  }
}
