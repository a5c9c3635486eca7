public import ServiceLifecycle

/// Runs every plugin client's connections for the life of the server: clients are created
/// as plugins are registered, and this service gives each one its `runConnections` task.
public final class PluginConnections: Service, Sendable {
  private let stream: AsyncStream<any PluginClient>
  private let continuation: AsyncStream<any PluginClient>.Continuation

  public init() {
    (stream, continuation) = AsyncStream.makeStream()
  }

  func start(_ client: any PluginClient) {
    continuation.yield(client)
  }

  public func run() async throws {
    var clients: [any PluginClient] = []
    await withGracefulShutdownHandler {
      await withDiscardingTaskGroup { group in
        for await client in stream.cancelOnGracefulShutdown() {
          clients.append(client)
          group.addTask { try? await client.runConnections() }
        }
        for client in clients { client.beginGracefulShutdown() }
      }
    } onGracefulShutdown: {
      self.continuation.finish()
    }
  }
}
