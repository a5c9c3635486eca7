import Dispatch
import Foundation
public import Logging
import Synchronization

/// Reads attributes off the caller's thread under a deadline, so a driver that blocks (ACPI
/// power meters, 1-Wire, hung GPUs: docs/hwmon.md §1.7) costs one worker thread and stale values,
/// never a stalled read pass.
///
/// The cost is per pass, not per chip or file: ``readChip(_:chip:)`` queues a chip's files as
/// one job, and up to two runners (worker threads: one per core of a small host, so the reads
/// of a pass are not all on one thread) take the queued jobs of every chip in turn, each under
/// a deadline of its own from when it starts (waking a thread per chip was a fifth of the
/// pass). A runner that makes no progress for a watchdog tick is left to its blocked read and
/// the queue moves on to a fresh runner, so a blocked file delays the chips queued behind it
/// by one or two ticks (a quarter deadline each), never by the deadline. A job past its
/// deadline is handed over as it stands, and the file it was blocked on is read on its own from
/// then on (``read(_:chip:)``: a worker of its own beside its chip's job), so it delays the other
/// files of its chip for one pass at most. A file whose read is still blocked is not read again
/// until it returns, and at most `maxInFlight` workers run at once; jobs that find no runner and
/// no free worker fail at once as busy. Deadlines are kept by one watchdog tick per reader,
/// every quarter deadline, so a read is given up after 1 to 1.25 deadlines.
public final class DeadlineReader: Sendable {
  let files: any SysfsFiles
  let deadline: Duration
  let maxInFlight: Int
  let logger: Logger
  /// Files being read on their own or left blocked by an abandoned job, and the free workers.
  private let inFlight: Mutex<(files: Set<String>, free: [Int])>
  /// How many files `inFlight` holds: a job checks its files against them only when some are.
  private let claimedCount = Atomic<Int>(0)
  /// Files that blocked a job once: read on their own.
  private let blockers = Mutex<Set<String>>([])
  private let blockerCount = Atomic<Int>(0)
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
  /// Jobs started and not handed over yet, with when they are due and the runner on them.
  private let pending = Mutex<[ObjectIdentifier: (batch: Batch, due: DispatchTime, runner: Runner?)]>([:])
  /// Chip jobs waiting for a runner, and the runners taking them (those not left stalled).
  private let queue = Mutex<(jobs: [Batch], runners: [Runner])>(([], []))
  /// How many files `failing` holds: a pass where none fail takes no lock for them.
  private let failingCount = Atomic<Int>(0)
  private let started = Atomic<Int>(0)

  /// How many workers (threads woken) this reader has started: a runner or a single file each.
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
    watchdog.setEventHandler { [weak self] in self?.tick() }
    watchdog.activate()
  }

  deinit { watchdog.cancel() }

  /// Hands over every job past its deadline, as it stands, and moves the queue off runners
  /// that made no progress since the last tick.
  private func tick() {
    let now = DispatchTime.now()
    let overdue = pending.withLock { table -> [(batch: Batch, due: DispatchTime, runner: Runner?)] in
      let due = table.filter { $0.value.due <= now }
      for key in due.keys { table[key] = nil }
      return Array(due.values)
    }
    for job in overdue { job.batch.finish(timedOut: true, claim: claimHung) }
    let (fresh, refused) = queue.withLock { queue -> (Runner?, [Batch]) in
      queue.runners.removeAll { runner in
        let progress = runner.progress.load(ordering: .acquiring)
        let stuck = progress == runner.seen.exchange(progress, ordering: .relaxed)
          || overdue.contains { $0.runner === runner }
        if stuck { runner.stalled.store(true, ordering: .releasing) }
        return stuck
      }
      return staffQueue(&queue)
    }
    start(fresh, refusing: refused)
  }

  /// A runner for the queue when it has more jobs than runners (two at most): a fresh runner,
  /// or, when every worker is taken and no runner is left, the jobs to refuse.
  private func staffQueue(_ queue: inout (jobs: [Batch], runners: [Runner])) -> (Runner?, [Batch]) {
    guard queue.runners.count < min(queue.jobs.count, 2) else { return (nil, []) }
    guard let worker = claimWorker() else {
      guard queue.runners.isEmpty else { return (nil, []) }
      defer { queue.jobs = [] }
      return (nil, queue.jobs)
    }
    let runner = Runner(worker: worker)
    queue.runners.append(runner)
    return (runner, [])
  }

  private func start(_ runner: Runner?, refusing refused: [Batch]) {
    for batch in refused { batch.finish(timedOut: false, claim: claimHung) }
    guard let runner else { return }
    workers[runner.worker].async { [self] in
      while let batch = nextJob(for: runner) {
        for (index, path) in batch.paths.enumerated() where !batch.abandoned {
          if claimedCount.load(ordering: .acquiring) > 0, inFlight.withLock({ $0.files.contains(path) }) {
            batch.record(index, .failure(SysfsError(path: path, errno: EBUSY, timedOut: true)))
            continue
          }
          batch.reading(index)
          let result = Result { () throws(SysfsError) in try files.poll(path) }
          runner.progress.add(1, ordering: .releasing)
          if batch.record(index, result) { releaseFile(path) }
        }
        pending.withLock { $0[ObjectIdentifier(batch)] = nil }
        batch.finish(timedOut: false, claim: claimHung)
      }
      releaseWorker(runner.worker)
    }
  }

  /// The next job for `runner`, started (watched from now on); nil when the queue is empty
  /// or the runner was left stalled.
  private func nextJob(for runner: Runner) -> Batch? {
    let job = queue.withLock { queue -> Batch? in
      if runner.stalled.load(ordering: .acquiring) { return nil }
      guard !queue.jobs.isEmpty else {
        queue.runners.removeAll { $0 === runner }
        return nil
      }
      return queue.jobs.removeFirst()
    }
    guard let job else { return nil }
    runner.progress.add(1, ordering: .releasing)
    let due = DispatchTime.now() + .nanoseconds(Self.nanoseconds(deadline))
    pending.withLock { $0[ObjectIdentifier(job)] = (job, due, runner) }
    return job
  }

  /// Claims the file an abandoned job is blocked on, so nothing reads it until it returns.
  private var claimHung: @Sendable (String) -> Bool {
    { [self] path in claimFile(path) }
  }

  /// Reads the files of one chip (`chip`: its name, for logs): text or error for each of
  /// `paths`, in that order. Files not read by the deadline come back as timed out.
  public func readChip(_ paths: [String], chip: String) async -> [Result<String, SysfsError>] {
    await withCheckedContinuation { continuation in
      readChip(paths, chip: chip) { continuation.resume(returning: $0) }
    }
  }

  /// ``readChip(_:chip:)`` without a task: `done` gets the results, once, on a reader thread
  /// (or at once on this one when no worker is free), so a caller can start every chip's read
  /// without a task or a suspension each.
  public func readChip(_ paths: [String], chip: String, then done: @escaping @Sendable ([Result<String, SysfsError>]) -> Void) {
    if blockerCount.load(ordering: .relaxed) == 0 { return batch(paths, chip: chip, then: done) }
    let alone = blockers.withLock { blockers in paths.indices.filter { blockers.contains(paths[$0]) } }
    if alone.isEmpty { return batch(paths, chip: chip, then: done) }
    let together = paths.indices.filter { !alone.contains($0) }
    let parts = Parts(paths, count: alone.count + (together.isEmpty ? 0 : 1), then: done)
    if !together.isEmpty {
      batch(together.map { paths[$0] }, chip: chip) { parts.add(Array(zip(together, $0))) }
    }
    for index in alone {
      read(paths[index], chip: chip) { parts.add([(index, $0)]) }
    }
  }

  private func batch(_ paths: [String], chip: String, then done: @escaping @Sendable ([Result<String, SysfsError>]) -> Void) {
    let batch = Batch(paths: paths) { [self] outcome in
      if let blocked = outcome.blockedOn, blockers.withLock({ blockers in
        defer { blockerCount.store(blockers.count, ordering: .relaxed) }
        return blockers.insert(blocked).inserted
      }) {
        logger.warning("sensor file did not return in time; reading it on its own from now on",
                       metadata: ["chip": "\(chip)", "file": "\(blocked)", "timeout": "\(deadline)"])
      }
      var results: [Result<String, SysfsError>] = []
      results.reserveCapacity(paths.count)
      for (index, path) in paths.enumerated() {
        let result = outcome.results[index] ?? .failure(SysfsError(path: path, errno: ETIMEDOUT, timedOut: true))
        results.append(settle(result, path: path, chip: chip))
      }
      done(results)
    }
    let (fresh, refused) = queue.withLock { queue -> (Runner?, [Batch]) in
      queue.jobs.append(batch)
      return staffQueue(&queue)
    }
    start(fresh, refusing: refused)
  }

  /// Reads one file on a worker with its own deadline (the per-file mode).
  public func read(_ path: String, chip: String) async throws(SysfsError) -> String {
    try await withCheckedContinuation { continuation in
      read(path, chip: chip) { continuation.resume(returning: $0) }
    }.get()
  }

  private func read(_ path: String, chip: String, then done: @escaping @Sendable (Result<String, SysfsError>) -> Void) {
    guard claimFile(path) else { return done(.failure(note(SysfsError(path: path, errno: EBUSY, timedOut: true), chip: chip))) }
    guard let worker = claimWorker() else {
      releaseFile(path)
      return done(.failure(note(SysfsError(path: path, errno: EBUSY, timedOut: true), chip: chip)))
    }
    let batch = Batch(paths: [path]) { [self] outcome in
      done(settle(outcome.results[0] ?? .failure(SysfsError(path: path, errno: ETIMEDOUT, timedOut: true)), path: path, chip: chip))
    }
    let due = DispatchTime.now() + .nanoseconds(Self.nanoseconds(deadline))
    pending.withLock { $0[ObjectIdentifier(batch)] = (batch, due, nil) }
    workers[worker].async { [self] in
      let result = Result { () throws(SysfsError) in try files.poll(path) }
      releaseFile(path)
      releaseWorker(worker)
      batch.record(0, result)
      pending.withLock { $0[ObjectIdentifier(batch)] = nil }
      batch.finish(timedOut: false, claim: nil)
    }
  }

  /// An idle worker, if any is left.
  private func claimWorker() -> Int? {
    let claimed = inFlight.withLock { $0.free.popLast() }
    if claimed != nil { started.add(1, ordering: .relaxed) }
    return claimed
  }

  private func releaseWorker(_ worker: Int) { inFlight.withLock { $0.free.append(worker) } }
  private func claimFile(_ path: String) -> Bool {
    inFlight.withLock { state in
      defer { claimedCount.store(state.files.count, ordering: .releasing) }
      return state.files.insert(path).inserted
    }
  }

  private func releaseFile(_ path: String) {
    inFlight.withLock { state in
      state.files.remove(path)
      claimedCount.store(state.files.count, ordering: .releasing)
    }
  }

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
