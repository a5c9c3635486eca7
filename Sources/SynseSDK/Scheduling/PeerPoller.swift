public import Logging
import Synchronization

/// Polls one peer of a plugin (a BMC, an SNMP agent) every interval on a task of its own: the
/// latest poll serves reads and rescans, the latest failure the peer's health check. A failure
/// is logged when it starts or changes, and the recovery once.
///
/// ```swift
/// let poller = PeerPoller(name: "snmp 10.0.0.9:161", interval: .seconds(10), logger: logger) {
///   () throws(SNMPError) in try await target.poll()
/// }
/// poller.start()
/// await poller.firstPoll(within: .seconds(4))
/// try poller.health()          // HandlerError "snmp 10.0.0.9:161: unreachable: …"
/// ```
public final class PeerPoller<Poll: Sendable, Failure: Error & CustomStringConvertible>: Sendable {
  /// Kind and address (`ipmi 10.0.0.7:623`): how health messages and logs name the peer.
  public let name: String
  private let interval: Duration
  private let logger: Logger
  private let body: @Sendable () async throws(Failure) -> Poll

  private struct State: @unchecked Sendable {
    /// The last successful poll: it stays the inventory while the peer fails.
    var poll: Poll?
    /// Set while the peer fails; readings are then not served.
    var failure: Failure?
    var polls = 0
    var task: Task<Void, Never>?
  }

  private let state = Mutex(State())

  public init(name: String, interval: Duration, logger: Logger, poll: @escaping @Sendable () async throws(Failure) -> Poll) {
    self.name = name
    self.interval = interval
    self.logger = logger
    self.body = poll
  }

  /// Polls now, then every interval, until ``stop()``.
  public func start() {
    let task = Task { [self] in
      while !Task.isCancelled {
        await pollOnce()
        try? await Task.sleep(for: interval)
      }
    }
    state.withLock { $0.task = task }
  }

  public func stop() {
    state.withLock { $0.task }?.cancel()
  }

  public func pollOnce() async {
    do throws(Failure) {
      let poll = try await body()
      let recovered = state.withLock { state -> Bool in
        defer { (state.poll, state.failure, state.polls) = (poll, nil, state.polls + 1) }
        return state.failure != nil
      }
      if recovered { logger.info("\(name) answers again") }
    } catch {
      let first = state.withLock { state -> Bool in
        defer { (state.failure, state.polls) = (error, state.polls + 1) }
        return state.failure.map { "\($0)" } != "\(error)"
      }
      if first { logger.warning("\(name) poll failed", metadata: ["error": "\(error)"]) }
    }
  }

  /// Waits until the first poll ended (answered or failed) or `timeout` passed.
  public func firstPoll(within timeout: Duration) async {
    let deadline = ContinuousClock.now + timeout
    while state.withLock({ $0.polls }) == 0, ContinuousClock.now < deadline {
      try? await Task.sleep(for: .milliseconds(20))
    }
  }

  /// The latest successful poll, also while the peer fails (its devices stay devices).
  public var inventory: Poll? { state.withLock { $0.poll } }

  /// The latest poll while the peer answers; nil while it fails.
  public var current: Poll? { state.withLock { $0.failure == nil ? $0.poll : nil } }

  /// The current failure, if any.
  public var failure: Failure? { state.withLock { $0.failure } }

  /// - Throws: ``HandlerError`` naming the peer and its failure while its polls fail, or before
  ///   the first poll ended.
  public func health() throws(HandlerError) {
    let (failure, polls) = state.withLock { ($0.failure, $0.polls) }
    if let failure { throw HandlerError("\(name): \(failure)") }
    if polls == 0 { throw HandlerError("\(name): not polled yet") }
  }
}
