import Foundation
import Logging
import Synchronization
import SynseSDK

/// Polls one BMC on a task of its own: a walk every `interval` (measured from the start of the
/// previous walk), and after a failed walk an exponential backoff (interval, 2×, 4×, … at most
/// ``maximumBackoff``). Read handlers and health take its latest state without touching the
/// network, so a slow or dead BMC delays nothing but its own next walk.
final class RedfishPoller: Sendable {
  /// The BMC as configured (normalised), for logs, health and device data.
  let endpoint: String
  /// Position of the BMC in the configuration: of two endpoints reporting one service UUID,
  /// the earlier serves the devices.
  let order: Int
  let transport: any RedfishTransport
  let interval: Duration
  let timeout: Duration
  /// Readings older than this are not served (three polls: one failed walk is ridden out).
  var staleAfter: Duration { interval * 3 }
  static let maximumBackoff = Duration.seconds(300)

  private let watch: RefusalWatch
  private let walk: @Sendable (any RedfishTransport, Logger) async throws(RedfishError) -> RedfishInventory
  private let logger: Logger
  private let walkLogger: Logger
  private let created = ContinuousClock.now
  private let state = Mutex(State())
  private let task = Mutex<Task<Void, Never>?>(nil)

  struct State {
    /// The latest successful walk's inventory; kept while later walks fail.
    var inventory: RedfishInventory?
    /// Points of ``inventory`` by device key (service UUID + point key).
    var points: [String: RedfishPoint] = [:]
    var lastSuccess: ContinuousClock.Instant?
    /// The latest walk's error; nil once a walk succeeds again.
    var lastError: RedfishError?
    /// A refusal (401/403) met during the latest walk: credentials or privileges are wrong
    /// although the service root answered.
    var refusal: RedfishError?
    var failures = 0
    var walks = 0
    /// Problems already logged, so each is logged once while it lasts.
    var problems: Set<String> = []
  }

  init(
    endpoint: String, order: Int, transport: any RedfishTransport, interval: Duration, timeout: Duration,
    walk: @escaping @Sendable (any RedfishTransport, Logger) async throws(RedfishError) -> RedfishInventory, logger: Logger
  ) {
    self.endpoint = endpoint
    self.order = order
    self.transport = transport
    self.watch = RefusalWatch(transport)
    self.interval = interval
    self.timeout = timeout
    self.walk = walk
    var logger = logger
    logger[metadataKey: "endpoint"] = "\(endpoint)"
    self.logger = logger
    // A walk repeats every poll: what it skips comes back in `problems`, logged here once while
    // it lasts, so discovery's own per-walk warnings are kept for --debug.
    var walkLogger = logger
    if walkLogger.logLevel > .debug { walkLogger.logLevel = .error }
    self.walkLogger = walkLogger
  }

  /// Starts polling (once).
  func start() {
    task.withLock { task in
      guard task == nil else { return }
      task = Task { [self] in await poll() }
    }
  }

  /// Stops polling; a walk in flight is cancelled.
  func stop() {
    task.withLock { $0?.cancel() }
  }

  private func poll() async {
    while !Task.isCancelled {
      let begun = ContinuousClock.now
      do {
        _ = watch.take()
        let inventory = try await walk(watch, walkLogger)
        logger.debug("walked", metadata: [
          "seconds": "\(Self.seconds(begun.duration(to: .now)))", "points": "\(inventory.points.count)",
          "requests": "\(inventory.requestCount)", "problems": "\(inventory.problems.count)",
        ])
        record(inventory, refusal: watch.take())
      } catch {
        if Task.isCancelled { return }
        record(error)
      }
      let failures = state.withLock { $0.failures }
      let next = failures == 0 ? begun + interval : .now + Self.backoff(interval: interval, failures: failures)
      try? await Task.sleep(until: next, clock: .continuous)
    }
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  /// The pause after `failures` failed walks in a row: interval × 2^(failures−1), at most
  /// ``maximumBackoff`` (but never below the interval).
  static func backoff(interval: Duration, failures: Int) -> Duration {
    let cap = max(interval, maximumBackoff)
    var delay = interval
    for _ in 1..<max(failures, 1) where delay < cap { delay = delay * 2 }
    return min(delay, cap)
  }

  private func record(_ inventory: RedfishInventory, refusal: RedfishError?) {
    let (recovered, newProblems, resolved, newRefusal) = state.withLock { state in
      let recovered = state.lastError
      let newRefusal = refusal != nil && refusal != state.refusal
      state.refusal = refusal
      state.inventory = inventory
      state.points = Dictionary(inventory.points.map { (inventory.serviceUUID + $0.key, $0) }, uniquingKeysWith: { first, _ in first })
      state.lastSuccess = .now
      state.lastError = nil
      state.failures = 0
      state.walks += 1
      let current = Set(inventory.problems)
      let new = inventory.problems.filter { !state.problems.contains($0) }
      let resolved = state.problems.subtracting(current)
      state.problems = current
      return (recovered, new, resolved, newRefusal)
    }
    if newRefusal, let refusal { logger.error("BMC refuses the credentials", metadata: ["error": "\(refusal)"]) }
    if let recovered {
      logger.info("BMC answering again", metadata: ["after": "\(recovered)"])
    }
    for problem in Set(newProblems).sorted() {
      logger.warning("redfish resource left out (logged once while it lasts)", metadata: ["problem": "\(problem)"])
    }
    for problem in resolved.sorted() {
      logger.info("redfish resource readable again", metadata: ["was": "\(problem)"])
    }
  }

  private func record(_ error: RedfishError) {
    let changed = state.withLock { state in
      let changed = state.lastError != error
      state.lastError = error
      state.failures += 1
      state.walks += 1
      return changed
    }
    // Once per distinct error, not every poll of a BMC that stays down.
    if changed { logger.error("BMC walk failed", metadata: ["error": "\(error)"]) }
  }

  /// The latest inventory (nil before the first successful walk).
  var inventory: RedfishInventory? { state.withLock { $0.inventory } }

  /// Why the latest walk failed (nil once one succeeds), or the refusal it met.
  var lastFailure: RedfishError? { state.withLock { $0.lastError ?? $0.refusal } }

  /// The device keys of the latest inventory.
  var deviceKeys: Set<String> { state.withLock { Set($0.points.keys) } }

  /// Whether a first walk has ended (answered or failed).
  var hasWalked: Bool { state.withLock { $0.walks > 0 } }

  /// The point with device key `key`, if the latest inventory has it and is not stale.
  func point(_ key: String) -> RedfishPoint? {
    state.withLock { state in
      guard let success = state.lastSuccess, success.duration(to: .now) <= staleAfter else { return nil }
      return state.points[key]
    }
  }

  /// Throws the reason this BMC is not being read, if it is not: the last walk's error
  /// (unreachable, not Redfish, …), a refusal met in it (credentials or privileges), or no
  /// answer yet long after startup.
  func health() throws(HandlerError) {
    let (error, walks, inventory) = state.withLock { ($0.lastError ?? $0.refusal, $0.walks, $0.inventory) }
    if let error { throw HandlerError("\(error)") }
    // The root answered but nothing behind it did: as good as unreachable for an operator.
    if let inventory, inventory.points.isEmpty, !inventory.problems.isEmpty {
      throw HandlerError("redfish \(endpoint): nothing readable behind the service root: \(inventory.problems.prefix(3).joined(separator: "; "))")
    }
    if walks == 0, created.duration(to: .now) > timeout {
      throw HandlerError("redfish \(endpoint): no answer yet to the first walk (\(Int(Self.seconds(created.duration(to: .now)))) s)")
    }
  }

  /// Waits until the first walk has ended or `bound` has passed.
  func firstWalk(within bound: Duration) async {
    let deadline = ContinuousClock.now + bound
    while !hasWalked, ContinuousClock.now < deadline, !Task.isCancelled {
      try? await Task.sleep(for: .milliseconds(20))
    }
  }
}
