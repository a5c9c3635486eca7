import Foundation
import Synchronization

/// Results of one chip gathered from its job and the files read on their own.
final class Parts: Sendable {
  private let state: Mutex<(results: [Result<String, SysfsError>], left: Int)>
  private let done: @Sendable ([Result<String, SysfsError>]) -> Void

  init(_ paths: [String], count: Int, then done: @escaping @Sendable ([Result<String, SysfsError>]) -> Void) {
    state = Mutex((paths.map { .failure(SysfsError(path: $0, errno: ETIMEDOUT, timedOut: true)) }, count))
    self.done = done
  }

  func add(_ part: [(Int, Result<String, SysfsError>)]) {
    let all = state.withLock { state -> [Result<String, SysfsError>]? in
      for (index, result) in part { state.results[index] = result }
      state.left -= 1
      return state.left == 0 ? state.results : nil
    }
    if let all { done(all) }
  }
}

/// A runner: one worker taking chip jobs off the queue in turn.
final class Runner: Sendable {
  let worker: Int
  /// Bumped at each job and file: the watchdog tells a blocked runner by it standing still.
  let progress = Atomic<Int>(0)
  /// `progress` at the watchdog's last tick.
  let seen = Atomic<Int>(-1)
  /// Left to its blocked read: takes no more jobs.
  let stalled = Atomic<Bool>(false)
  init(worker: Int) { self.worker = worker }
}

/// The files of one job (a chip, or one file on its own) as they come in, by position in
/// `paths`, handed over once: when the job ends or the deadline passes, whichever is first. A
/// job handed over at its deadline is abandoned: its runner stops after the file it is
/// blocked on, and that file stays claimed until the read returns.
final class Batch: Sendable {
  struct Outcome: Sendable {
    var results: [Result<String, SysfsError>?]
    /// The file the worker was still reading when the deadline passed.
    var blockedOn: String?
  }
  private struct State {
    var results: [Result<String, SysfsError>?]
    var current: Int?
    /// `current` was claimed for the abandoned read: released when it returns.
    var claimed = false
    var done = false
  }
  let paths: [String]
  private let state: Mutex<State>
  private let handler: @Sendable (Outcome) -> Void

  /// `handler` gets the outcome, once.
  init(paths: [String], then handler: @escaping @Sendable (Outcome) -> Void) {
    self.paths = paths
    self.handler = handler
    state = Mutex(State(results: Array(repeating: nil, count: paths.count)))
  }

  var abandoned: Bool { state.withLock { $0.done } }

  func reading(_ index: Int) { state.withLock { $0.current = index } }

  /// Keeps a result; true when its file was claimed for an abandoned read, to be released now.
  @discardableResult
  func record(_ index: Int, _ result: Result<String, SysfsError>) -> Bool {
    state.withLock { state in
      state.current = nil
      defer { state.claimed = false }
      if !state.done { state.results[index] = result }
      return state.claimed
    }
  }

  /// Hands the results over once; at the deadline, `claim` takes the file still being read.
  func finish(timedOut: Bool, claim: (@Sendable (String) -> Bool)?) {
    let handover = state.withLock { state -> Outcome? in
      guard !state.done else { return nil }
      state.done = true
      var blockedOn: String?
      if timedOut, let current = state.current {
        blockedOn = paths[current]
        if let claim { state.claimed = claim(paths[current]) }
      }
      return Outcome(results: state.results, blockedOn: blockedOn)
    }
    if let handover { handler(handover) }
  }
}
