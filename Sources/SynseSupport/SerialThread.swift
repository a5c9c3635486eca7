import Foundation

/// A thread of its own for blocking C calls (FreeIPMI, net-snmp), so that a slow or unreachable
/// peer holds only its own thread, never the Swift cooperative pool or another peer's work. Jobs
/// run one at a time, in order: the C libraries' sessions are not thread-safe.
///
/// ```swift
/// let thread = SerialThread(name: "snmp 10.0.0.9:161")
/// let value = try await thread.run({ () throws(SNMPError) in try session.get(oid) },
///                                  ifStopped: SNMPError(.unreachable, "stopped"))
/// thread.stop()
/// ```
public final class SerialThread: @unchecked Sendable {
  /// Guards `jobs` and `stopped`, and wakes the thread.
  private let condition = NSCondition()
  private var jobs: [() -> Void] = []
  private var stopped = false

  public init(name: String) {
    let thread = Thread { [self] in run() }
    thread.name = name
    thread.start()
  }

  /// Runs `body` on the thread and returns its result; `ifStopped` once ``stop()`` was called.
  public func run<T: Sendable, E: Error>(
    _ body: @escaping @Sendable () throws(E) -> T, ifStopped: @autoclosure () -> E
  ) async throws(E) -> T {
    let result: Result<T, E>? = await withCheckedContinuation { continuation in
      let accepted = enqueue {
        do throws(E) { continuation.resume(returning: .success(try body())) } catch { continuation.resume(returning: .failure(error)) }
      }
      if !accepted { continuation.resume(returning: nil) }
    }
    guard let result else { throw ifStopped() }
    return try result.get()
  }

  /// Ends the thread after the jobs already queued.
  public func stop() {
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
