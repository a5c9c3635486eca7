import Foundation

/// A thread of its own for one BMC's blocking FreeIPMI calls (issue 19: "the C calls block:
/// run them on their own threads"), so that a slow or unreachable BMC holds only its own
/// thread, never the Swift cooperative pool or another BMC's polls. Jobs run one at a time, in
/// order: a FreeIPMI session is not thread-safe.
final class IPMIThread: @unchecked Sendable {
  /// Guards `jobs` and `stopped`, and wakes the thread.
  private let condition = NSCondition()
  private var jobs: [() -> Void] = []
  private var stopped = false

  init(name: String) {
    let thread = Thread { [self] in run() }
    thread.name = name
    thread.start()
  }

  /// Runs `body` on the thread and returns its result.
  func run<T: Sendable>(_ body: @escaping @Sendable () throws(IPMIError) -> T) async throws(IPMIError) -> T {
    let result: Result<T, IPMIError> = await withCheckedContinuation { continuation in
      let accepted = enqueue {
        do throws(IPMIError) { continuation.resume(returning: .success(try body())) } catch { continuation.resume(returning: .failure(error)) }
      }
      if !accepted { continuation.resume(returning: .failure(IPMIError(.bmc, "the BMC's thread has stopped"))) }
    }
    return try result.get()
  }

  /// Ends the thread after the jobs already queued.
  func stop() {
    condition.lock()
    stopped = true
    condition.signal()
    condition.unlock()
  }

  private func enqueue(_ job: @escaping () -> Void) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    guard !stopped else { return false }
    jobs.append(job)
    condition.signal()
    return true
  }

  private func run() {
    while true {
      condition.lock()
      while jobs.isEmpty && !stopped { condition.wait() }
      if jobs.isEmpty && stopped {
        condition.unlock()
        return
      }
      let job = jobs.removeFirst()
      condition.unlock()
      job()
    }
  }
}
