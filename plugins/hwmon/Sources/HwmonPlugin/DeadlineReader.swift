import Dispatch
import Foundation
public import Logging
import Synchronization

/// Reads attributes off the caller's thread under a deadline, so a driver that blocks (ACPI
/// power meters, 1-Wire, hung GPUs: hwmon.md §1.7) costs one worker thread and stale values,
/// never a stalled read pass.
///
/// The cost is per chip, not per file: ``readChip(_:chip:)`` reads a chip's files in a row on
/// one worker under one deadline (one queue hop). A file that once made such a batch miss its
/// deadline is read on its own from then on (``read(_:chip:)``: a hop of its own, beside the
/// batch of the chip's other files), so it delays the other files of its chip for one pass at
/// most, and other chips never. In both modes a file whose read is still blocked is not read
/// again until it returns, and at most `maxInFlight` workers run at once (a batch counts as
/// one); a read that finds no free worker fails at once as busy. Deadlines are kept by one
/// watchdog tick per reader, every quarter deadline (a timer per batch woke the dispatch
/// manager thread each time), so a read is given up after 1 to 1.25 deadlines.
public final class DeadlineReader: Sendable {
  let files: any SysfsFiles
  let deadline: Duration
  let maxInFlight: Int
  let logger: Logger
  /// Files being read right now, and the workers free to take a job.
  private let inFlight: Mutex<(files: Set<String>, free: [Int])>
  /// Files that blocked a batch once: read on their own.
  private let blockers = Mutex<Set<String>>([])
  /// Files whose last read failed, with the error logged for them (logged once per change).
  private let failing = Mutex<[String: String]>([:])
  /// One serial queue per worker, taken only while idle: serial queues get a thread of their
  /// own when busy (a concurrent queue shares as many threads as there are CPUs, so two
  /// blocked reads on a two-core machine would stall every other read and the deadlines).
  private let workers: [DispatchQueue]
  /// Deadlines are checked here, never behind a blocked read.
  private let timers = DispatchQueue(label: "hwmon-read-deadlines")
  /// (Dispatch sources are thread-safe; the type just is not marked Sendable.)
  nonisolated(unsafe) private let watchdog: any DispatchSourceTimer
  /// Runs not handed over yet, with when they are due.
  private let pending = Mutex<[ObjectIdentifier: (batch: Batch, due: DispatchTime)]>([:])
  /// How many files `failing` holds: a pass where none fail takes no lock for them.
  private let failingCount = Atomic<Int>(0)
  private let started = Atomic<Int>(0)

  /// How many workers (queue hops) this reader has started: a batch or a single file each.
  public var workersStarted: Int { started.load(ordering: .relaxed) }

  public init(files: any SysfsFiles, deadline: Duration, maxInFlight: Int = 16, logger: Logger) {
    self.files = files
    self.deadline = deadline
    self.maxInFlight = maxInFlight
    self.logger = logger
    workers = (0..<max(1, maxInFlight)).map { DispatchQueue(label: "hwmon-read-\($0)") }
    inFlight = Mutex(([], Array((0..<max(1, maxInFlight)).reversed())))
    let tick = DispatchTimeInterval.nanoseconds(max(Self.nanoseconds(deadline) / 4, 5_000_000))
    watchdog = DispatchSource.makeTimerSource(queue: timers)
    watchdog.schedule(deadline: .now() + tick, repeating: tick)
    watchdog.setEventHandler { [weak self] in self?.expireOverdue() }
    watchdog.activate()
  }

  deinit { watchdog.cancel() }

  /// Hands over every run past its deadline, as it stands.
  private func expireOverdue() {
    let now = DispatchTime.now()
    let overdue = pending.withLock { table -> [Batch] in
      let due = table.filter { $0.value.due <= now }
      for key in due.keys { table[key] = nil }
      return due.values.map(\.batch)
    }
    for batch in overdue { batch.finish(timedOut: true) }
  }

  /// Starts `body` on `worker` for `batch`, watched from now on.
  private func launch(_ batch: Batch, on worker: Int, _ body: @escaping @Sendable () -> Void) {
    let due = DispatchTime.now() + .nanoseconds(Self.nanoseconds(deadline))
    pending.withLock { $0[ObjectIdentifier(batch)] = (batch, due) }
    workers[worker].async { [self] in
      body()
      pending.withLock { $0[ObjectIdentifier(batch)] = nil }
      batch.finish(timedOut: false)
    }
  }

  /// Reads the files of one chip (`chip`: its name, for logs): path → text or error. Files not
  /// read by the deadline come back as timed out.
  public func readChip(_ paths: [String], chip: String) async -> [String: Result<String, SysfsError>] {
    let alone = blockers.withLock { blockers in paths.filter(blockers.contains) }
    if alone.isEmpty { return await batch(paths, chip: chip) }
    let together = paths.filter { !alone.contains($0) }
    return await withTaskGroup(of: [String: Result<String, SysfsError>].self) { group in
      if !together.isEmpty { group.addTask { [self] in await batch(together, chip: chip) } }
      for path in alone {
        group.addTask { [self] in
          do throws(SysfsError) {
            return [path: .success(try await read(path, chip: chip))]
          } catch {
            return [path: .failure(error)]
          }
        }
      }
      var results: [String: Result<String, SysfsError>] = [:]
      for await part in group { results.merge(part) { $1 } }
      return results
    }
  }

  private func batch(_ paths: [String], chip: String) async -> [String: Result<String, SysfsError>] {
    guard let worker = claimWorker() else {
      return Dictionary(paths.map { ($0, .failure(note(SysfsError(path: $0, errno: EBUSY, timedOut: true), chip: chip))) }, uniquingKeysWith: { $1 })
    }
    let batch = Batch()
    let outcome: Batch.Outcome = await withCheckedContinuation { continuation in
      batch.start(continuation)
      launch(batch, on: worker) { [self] in
        for path in paths where !batch.abandoned {
          guard claimFile(path) else {
            batch.record(path, .failure(SysfsError(path: path, errno: EBUSY, timedOut: true)))
            continue
          }
          batch.reading(path)
          let result = Result { () throws(SysfsError) in try files.poll(path) }
          releaseFile(path)
          batch.record(path, result)
        }
        releaseWorker(worker)
      }
    }
    if let blocked = outcome.blockedOn, blockers.withLock({ $0.insert(blocked).inserted }) {
      logger.warning("sensor file did not return in time; reading it on its own from now on",
                     metadata: ["chip": "\(chip)", "file": "\(blocked)", "timeout": "\(deadline)"])
    }
    var results: [String: Result<String, SysfsError>] = [:]
    for path in paths {
      let result = outcome.results[path] ?? .failure(SysfsError(path: path, errno: ETIMEDOUT, timedOut: true))
      results[path] = settle(result, path: path, chip: chip)
    }
    return results
  }

  /// Reads one file on a worker with its own deadline (the per-file mode).
  public func read(_ path: String, chip: String) async throws(SysfsError) -> String {
    guard claimFile(path) else { throw note(SysfsError(path: path, errno: EBUSY, timedOut: true), chip: chip) }
    guard let worker = claimWorker() else {
      releaseFile(path)
      throw note(SysfsError(path: path, errno: EBUSY, timedOut: true), chip: chip)
    }
    let batch = Batch()
    let outcome: Batch.Outcome = await withCheckedContinuation { continuation in
      batch.start(continuation)
      launch(batch, on: worker) { [self] in
        let result = Result { () throws(SysfsError) in try files.poll(path) }
        releaseFile(path)
        releaseWorker(worker)
        batch.record(path, result)
      }
    }
    return try settle(outcome.results[path] ?? .failure(SysfsError(path: path, errno: ETIMEDOUT, timedOut: true)), path: path, chip: chip).get()
  }

  /// An idle worker, if any is left.
  private func claimWorker() -> Int? {
    let claimed = inFlight.withLock { $0.free.popLast() }
    if claimed != nil { started.add(1, ordering: .relaxed) }
    return claimed
  }

  private func releaseWorker(_ worker: Int) { inFlight.withLock { $0.free.append(worker) } }
  private func claimFile(_ path: String) -> Bool { inFlight.withLock { $0.files.insert(path).inserted } }
  private func releaseFile(_ path: String) { _ = inFlight.withLock { $0.files.remove(path) } }

  /// Logs the first failure of a file and each change of its error, and its recovery.
  private func settle(_ result: Result<String, SysfsError>, path: String, chip: String) -> Result<String, SysfsError> {
    switch result {
    case .success:
      if failingCount.load(ordering: .relaxed) > 0, failing.withLock({ table in
        defer { failingCount.store(table.count, ordering: .relaxed) }
        return table.removeValue(forKey: path)
      }) != nil {
        logger.info("sensor file readable again", metadata: ["chip": "\(chip)", "file": "\(path)"])
      }
      return result
    case .failure(let error):
      return .failure(note(error, chip: chip))
    }
  }

  private func note(_ error: SysfsError, chip: String) -> SysfsError {
    let summary = error.description
    let changed = failing.withLock { state -> Bool in
      defer {
        state[error.path] = summary
        failingCount.store(state.count, ordering: .relaxed)
      }
      return state[error.path] != summary
    }
    if changed {
      logger.warning("sensor file read failed; serving the last good value", metadata: ["chip": "\(chip)", "file": "\(error.path)", "errno": "\(error.errno)", "error": "\(summary)"])
    }
    return error
  }

  static func nanoseconds(_ duration: Duration) -> Int {
    Int(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
  }
}

/// The files of one worker run as they come in, handed over once: when the worker ends or
/// the deadline passes, whichever is first. A batch handed over at its deadline is abandoned:
/// its worker stops after the file it is blocked on.
private final class Batch: Sendable {
  struct Outcome: Sendable {
    var results: [String: Result<String, SysfsError>]
    /// The file the worker was still reading when the deadline passed.
    var blockedOn: String?
  }
  private struct State {
    var results: [String: Result<String, SysfsError>] = [:]
    var current: String?
    var continuation: CheckedContinuation<Outcome, Never>?
    var done = false
  }
  private let state = Mutex(State())

  var abandoned: Bool { state.withLock { $0.done } }

  func start(_ continuation: CheckedContinuation<Outcome, Never>) {
    state.withLock { $0.continuation = continuation }
  }

  func reading(_ path: String) { state.withLock { $0.current = path } }

  func record(_ path: String, _ result: Result<String, SysfsError>) {
    state.withLock { state in
      state.current = nil
      if !state.done { state.results[path] = result }
    }
  }

  func finish(timedOut: Bool) {
    let handover = state.withLock { state -> (CheckedContinuation<Outcome, Never>, Outcome)? in
      guard !state.done, let continuation = state.continuation else { return nil }
      state.done = true
      state.continuation = nil
      return (continuation, Outcome(results: state.results, blockedOn: timedOut ? state.current : nil))
    }
    if let (continuation, outcome) = handover { continuation.resume(returning: outcome) }
  }
}
