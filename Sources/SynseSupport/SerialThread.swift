import Foundation
import Synchronization

/// A thread of its own for blocking C calls (FreeIPMI, net-snmp), so that a slow or unreachable
/// peer holds only its own thread, never the Swift cooperative pool or another peer's work. Jobs
/// run one at a time, in order: the C libraries' sessions are not thread-safe.
///
/// A caller whose task is cancelled (a write's timeout, the plugin stopping) gets
/// `ifCancelled` at once: its job is skipped if it has not started, and its result dropped if
/// it has (a C call cannot be interrupted). Without that, a stopping plugin waited for every
/// queued call to a dead peer, each for its timeout: 40 s for three writes to one BMC.
///
/// ```swift
/// let thread = SerialThread(name: "snmp 10.0.0.9:161")
/// let value = try await thread.run({ () throws(SNMPError) in try session.get(oid) },
///                                  ifStopped: SNMPError(.unreachable, "stopped"),
///                                  ifCancelled: SNMPError(.unreachable, "given up"))
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

  /// Runs `body` on the thread and returns its result; `ifStopped` once ``stop()`` was called,
  /// `ifCancelled` as soon as the calling task is cancelled.
  public func run<T: Sendable, E: Error>(
    _ body: @escaping @Sendable () throws(E) -> T, ifStopped: @autoclosure () -> E, ifCancelled: @autoclosure () -> E
  ) async throws(E) -> T {
    let call = Call<Result<T, E>>()
    let outcome = await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        guard call.wait(continuation) else { return }
        let accepted = enqueue {
          guard call.isPending else { return }  // given up before its turn: not run at all
          let result: Result<T, E>
          do throws(E) { result = .success(try body()) } catch { result = .failure(error) }
          call.end(.value(result))
        }
        if !accepted { call.end(.stopped) }
      }
    } onCancel: {
      call.end(.cancelled)
    }
    switch outcome {
    case .value(let result): return try result.get()
    case .stopped: throw ifStopped()
    case .cancelled: throw ifCancelled()
    }
  }

  /// One ``run(_:ifStopped:ifCancelled:)``: ended once, by its job, the thread's stop or its
  /// caller's cancellation, whichever comes first.
  private final class Call<Value: Sendable>: Sendable {
    enum Outcome: Sendable {
      case value(Value), stopped, cancelled
    }

    private struct State {
      var continuation: CheckedContinuation<Outcome, Never>?
      var outcome: Outcome?
    }

    private let state = Mutex(State())

    var isPending: Bool { state.withLock { $0.outcome == nil } }

    /// Registers the caller; false (and resumed) when the call has already ended.
    func wait(_ continuation: CheckedContinuation<Outcome, Never>) -> Bool {
      let ended = state.withLock { state -> Outcome? in
        if let outcome = state.outcome { return outcome }
        state.continuation = continuation
        return nil
      }
      guard let ended else { return true }
      continuation.resume(returning: ended)
      return false
    }

    func end(_ outcome: Outcome) {
      let continuation = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
        guard state.outcome == nil else { return nil }
        state.outcome = outcome
        defer { state.continuation = nil }
        return state.continuation
      }
      continuation?.resume(returning: outcome)
    }
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
