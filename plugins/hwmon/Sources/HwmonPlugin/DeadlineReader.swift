import Dispatch
import Foundation
public import Logging
import Synchronization

/// Reads attributes off the caller's thread with a per-read deadline, so a driver that
/// blocks (ACPI power meters, 1-Wire, hung GPUs: hwmon.md §1.7) costs one worker thread and
/// one stale value, never a stalled read pass. A file whose last read is still blocked is not
/// read again until it returns; at most `maxInFlight` reads run at once.
public final class DeadlineReader: Sendable {
  let files: any SysfsFiles
  let deadline: Duration
  let maxInFlight: Int
  let logger: Logger
  private let inFlight = Mutex<Set<String>>([])
  /// Files whose last read failed, with the errno logged for them (logged once per change).
  private let failing = Mutex<[String: String]>([:])
  private let queue = DispatchQueue(label: "hwmon-reads", attributes: .concurrent)

  public init(files: any SysfsFiles, deadline: Duration, maxInFlight: Int = 16, logger: Logger) {
    self.files = files
    self.deadline = deadline
    self.maxInFlight = maxInFlight
    self.logger = logger
  }

  public func read(_ path: String, chip: String) async throws(SysfsError) -> String {
    let started = inFlight.withLock { running -> Bool in
      guard running.count < maxInFlight, !running.contains(path) else { return false }
      running.insert(path)
      return true
    }
    guard started else { throw note(SysfsError(path: path, errno: EBUSY, timedOut: true), chip: chip) }
    let result: Result<String, SysfsError> = await withCheckedContinuation { continuation in
      let once = ResumeOnce(continuation)
      queue.async { [self] in
        let outcome = Result { () throws(SysfsError) in try files.read(path) }
        inFlight.withLock { _ = $0.remove(path) }
        once.resume(outcome)
      }
      let nanoseconds = deadline.components.seconds * 1_000_000_000 + deadline.components.attoseconds / 1_000_000_000
      DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) {
        once.resume(.failure(SysfsError(path: path, errno: ETIMEDOUT, timedOut: true)))
      }
    }
    switch result {
    case .success(let text):
      if failing.withLock({ $0.removeValue(forKey: path) }) != nil {
        logger.info("sensor file readable again", metadata: ["chip": "\(chip)", "file": "\(path)"])
      }
      return text
    case .failure(let error):
      throw note(error, chip: chip)
    }
  }

  /// Logs a failure the first time a file fails, or fails differently (rate limit).
  private func note(_ error: SysfsError, chip: String) -> SysfsError {
    let summary = error.description
    let changed = failing.withLock { state -> Bool in
      defer { state[error.path] = summary }
      return state[error.path] != summary
    }
    if changed {
      logger.warning("sensor file read failed; serving the last good value", metadata: ["chip": "\(chip)", "file": "\(error.path)", "errno": "\(error.errno)", "error": "\(summary)"])
    }
    return error
  }
}

/// Resumes a continuation once: the read and its deadline race.
private final class ResumeOnce: Sendable {
  private let continuation: Mutex<CheckedContinuation<Result<String, SysfsError>, Never>?>
  init(_ continuation: CheckedContinuation<Result<String, SysfsError>, Never>) {
    self.continuation = Mutex(continuation)
  }
  func resume(_ result: Result<String, SysfsError>) {
    continuation.withLock { stored in
      stored?.resume(returning: result)
      stored = nil
    }
  }
}
