import Logging
import Synchronization
import SynseSDK

/// Polls one BMC every read interval on its own task (the FreeIPMI calls themselves run on the
/// BMC's thread, ``BMCConnection``): the latest poll serves reads and rescans, the latest
/// failure the BMC's health check.
final class IPMIPoller: Sendable {
  let connection: BMCConnection
  var endpoint: String { connection.settings.endpoint }
  private let interval: Duration
  private let logger: Logger

  private struct State {
    /// The last successful poll: its sensors stay devices while the BMC fails.
    var poll: BMCPoll?
    /// Set while the BMC fails; its readings are then not served.
    var failure: IPMIError?
    var polls = 0
    var task: Task<Void, Never>?
  }

  private let state = Mutex(State())

  init(_ connection: BMCConnection, interval: Duration, logger: Logger) {
    self.connection = connection
    self.interval = interval
    self.logger = logger
  }

  func start() {
    let task = Task { [self] in
      while !Task.isCancelled {
        await pollOnce()
        try? await Task.sleep(for: interval)
      }
    }
    state.withLock { $0.task = task }
  }

  func stop() {
    state.withLock { $0.task }?.cancel()
  }

  func pollOnce() async {
    do throws(IPMIError) {
      let poll = try await connection.poll()
      let recovered = state.withLock { state -> Bool in
        defer { (state.poll, state.failure, state.polls) = (poll, nil, state.polls + 1) }
        return state.failure != nil
      }
      if recovered { logger.info("BMC answers again", metadata: ["endpoint": "\(endpoint)"]) }
    } catch {
      let first = state.withLock { state -> Bool in
        defer { (state.failure, state.polls) = (error, state.polls + 1) }
        return state.failure?.message != error.message
      }
      if first { logger.warning("BMC poll failed", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"]) }
    }
  }

  /// Waits until the first poll ended (answered or failed) or `timeout` passed.
  func firstPoll(within timeout: Duration) async {
    let deadline = ContinuousClock.now + timeout
    while state.withLock({ $0.polls }) == 0, ContinuousClock.now < deadline {
      try? await Task.sleep(for: .milliseconds(20))
    }
  }

  /// The latest poll, for devices (also while the BMC fails).
  var inventory: BMCPoll? { state.withLock { $0.poll } }

  /// The latest poll while the BMC answers; nil while it fails.
  var current: BMCPoll? { state.withLock { $0.failure == nil ? $0.poll : nil } }

  /// - Throws: ``HandlerError`` naming the BMC and FreeIPMI's reason while its polls fail.
  func health() throws(HandlerError) {
    let (failure, polls) = state.withLock { ($0.failure, $0.polls) }
    if let failure { throw HandlerError("ipmi \(endpoint): \(failure)") }
    if polls == 0 { throw HandlerError("ipmi \(endpoint): not polled yet") }
  }
}
