import Synchronization
public import ServiceLifecycle

/// Runs every plugin client's connections for the life of the server: clients are created
/// as plugins are registered (and for each reconnect attempt), and this service gives each
/// one its `runConnections` task until the client is shut down.
///
/// Shutdown is bounded whatever the plugins do: clients are asked to finish gracefully, and
/// whatever still runs after ``drainLimit`` (a name that never resolves, a connect that never
/// completes) is cancelled.
public final class PluginConnections: Service, Sendable {
  /// How long graceful shutdown waits for clients before cancelling them.
  public static let drainLimit: Duration = .seconds(2)
  private let stream: AsyncStream<any PluginClient>
  private let continuation: AsyncStream<any PluginClient>.Continuation
  /// Clients whose connections are running, by start number, so a finished one is dropped.
  private let running = Mutex<(next: Int, clients: [Int: any PluginClient])>((0, [:]))

  public init() {
    (stream, continuation) = AsyncStream.makeStream()
  }

  func start(_ client: any PluginClient) {
    continuation.yield(client)
  }

  public func run() async throws {
    let work = Task {
      await withDiscardingTaskGroup { group in
        for await client in stream {
          let number = running.withLock { state in
            defer { state.next += 1 }
            state.clients[state.next] = client
            return state.next
          }
          group.addTask {
            try? await client.runConnections()
            _ = self.running.withLock { $0.clients.removeValue(forKey: number) }
          }
        }
        for client in running.withLock({ Array($0.clients.values) }) { client.beginGracefulShutdown() }
      }
    }
    await withTaskCancellationHandler {
      await withGracefulShutdownHandler {
        await work.value
      } onGracefulShutdown: {
        self.continuation.finish()
        Task {
          try? await Task.sleep(for: Self.drainLimit)
          work.cancel()
        }
      }
    } onCancel: {
      self.continuation.finish()
      work.cancel()
    }
  }
}
