import Synchronization
public import ServiceLifecycle

/// Runs every plugin client's connections: clients are created as plugins are registered
/// and for each reconnect attempt, and each gets a `runConnections` task until it is stopped.
///
/// Every stop is bounded whatever the plugin does: a client is asked to finish gracefully,
/// and one still running after ``drainLimit`` (a name that never resolves, a connect that never
/// completes) is cancelled. Server shutdown stops every client the same way.
public final class PluginConnections: Service, Sendable {
  /// How long a stopped client may take to finish its calls before it is cancelled.
  public static let drainLimit: Duration = .seconds(2)
  private struct State {
    var tasks: [ObjectIdentifier: (client: any PluginClient, task: Task<Void, Never>)] = [:]
    var closed = false
  }
  private let state = Mutex(State())
  private let closing: AsyncStream<Void>
  private let closingContinuation: AsyncStream<Void>.Continuation

  public init() {
    (closing, closingContinuation) = AsyncStream.makeStream()
  }

  /// Runs `client`'s connections until ``stop(_:)`` or shutdown.
  func start(_ client: any PluginClient) {
    let id = client.identity
    let refused = state.withLock { state -> Bool in
      guard !state.closed else { return true }
      let task = Task {
        try? await client.runConnections()
        _ = self.state.withLock { $0.tasks.removeValue(forKey: id) }
      }
      state.tasks[id] = (client, task)
      return false
    }
    if refused { client.beginGracefulShutdown() }
  }

  /// Ends `client`'s connections once its calls finish, or after ``drainLimit`` at the latest.
  func stop(_ client: any PluginClient) {
    client.beginGracefulShutdown()
    let id = client.identity
    Task {
      try? await Task.sleep(for: Self.drainLimit)
      self.state.withLock { $0.tasks[id]?.task.cancel() }
    }
  }

  /// Ends a client that has no calls to finish (its connection attempt failed) at once.
  func abandon(_ client: any PluginClient) {
    client.beginGracefulShutdown()
    let id = client.identity
    state.withLock { $0.tasks[id]?.task.cancel() }
  }

  /// Number of clients whose connections are running.
  var runningCount: Int { state.withLock { $0.tasks.count } }

  public func run() async throws {
    await withTaskCancellationHandler {
      await withGracefulShutdownHandler {
        for await _ in closing { break }
      } onGracefulShutdown: {
        self.closingContinuation.finish()
      }
    } onCancel: {
      self.closingContinuation.finish()
    }
    let running = state.withLock { state in
      state.closed = true
      return Array(state.tasks.values)
    }
    for (client, _) in running { client.beginGracefulShutdown() }
    let deadline = ContinuousClock.now + Self.drainLimit
    while runningCount > 0, ContinuousClock.now < deadline, !Task.isCancelled {
      try? await ContinuousClock().sleep(until: min(deadline, .now + .milliseconds(20)))
    }
    for (_, task) in running {
      task.cancel()
      await task.value
    }
  }
}
