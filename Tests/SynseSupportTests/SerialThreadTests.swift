import Foundation
import Synchronization
import SynseSupport
import Testing

struct SerialThreadTests {
  struct Failure: Error, Equatable {
    let reason: String
  }

  /// What the jobs did, in order.
  final class Log<Item: Sendable>: Sendable {
    private let items = Mutex<[Item]>([])
    func append(_ item: Item) { items.withLock { $0.append(item) } }
    var all: [Item] { items.withLock { $0 } }
  }

  @Test func runsJobsInOrderAndReturnsTheirResults() async throws {
    let thread = SerialThread(name: "test")
    defer { thread.stop() }
    let order = Log<Int>()
    try await withThrowingTaskGroup(of: Int.self) { group in
      for number in 0..<5 {
        group.addTask {
          try await thread.run({ () throws(Failure) -> Int in
            order.append(number)
            return number * 2
          }, ifStopped: Failure(reason: "stopped"), ifCancelled: Failure(reason: "cancelled"))
        }
        try await Task.sleep(for: .milliseconds(20))
      }
      var results: [Int] = []
      for try await result in group { results.append(result) }
      #expect(results.sorted() == [0, 2, 4, 6, 8])
    }
    #expect(order.all == [0, 1, 2, 3, 4])
    await #expect(throws: Failure(reason: "no")) {
      try await thread.run({ () throws(Failure) -> Int in throw Failure(reason: "no") }, ifStopped: Failure(reason: "stopped"), ifCancelled: Failure(reason: "cancelled"))
    }
  }

  /// A stopping plugin must not wait for blocking calls to a dead peer: a cancelled caller gets
  /// `ifCancelled` at once, whether its job is running (its result is dropped) or still queued
  /// (it never runs).
  @Test func aCancelledCallerIsAnsweredAtOnceAndItsQueuedJobNeverRuns() async throws {
    let thread = SerialThread(name: "test")
    defer { thread.stop() }
    let ran = Log<String>()
    let blocking = Task {
      try await thread.run({ () throws(Failure) -> Int in
        ran.append("blocking")
        Thread.sleep(forTimeInterval: 1.5)  // a C call that cannot be interrupted
        return 1
      }, ifStopped: Failure(reason: "stopped"), ifCancelled: Failure(reason: "cancelled"))
    }
    try await Task.sleep(for: .milliseconds(200))
    let queued = Task {
      try await thread.run({ () throws(Failure) -> Int in
        ran.append("queued")
        return 2
      }, ifStopped: Failure(reason: "stopped"), ifCancelled: Failure(reason: "cancelled"))
    }
    try await Task.sleep(for: .milliseconds(100))
    let start = ContinuousClock.now
    blocking.cancel()
    queued.cancel()
    await #expect(throws: Failure(reason: "cancelled")) { try await blocking.value }
    await #expect(throws: Failure(reason: "cancelled")) { try await queued.value }
    #expect(ContinuousClock.now - start < .milliseconds(500))
    // The thread goes on with later jobs once the blocking one returns; the queued one is skipped.
    let later = try await thread.run({ () throws(Failure) -> Int in
      ran.append("later")
      return 3
    }, ifStopped: Failure(reason: "stopped"), ifCancelled: Failure(reason: "cancelled"))
    #expect(later == 3)
    #expect(ran.all == ["blocking", "later"])
  }

  @Test func aTaskCancelledBeforeItCallsGetsIfCancelledAndNothingRuns() async throws {
    let thread = SerialThread(name: "test")
    defer { thread.stop() }
    let ran = Log<Bool>()
    let task = Task {
      while !Task.isCancelled { await Task.yield() }
      return try await thread.run({ () throws(Failure) -> Int in
        ran.append(true)
        return 1
      }, ifStopped: Failure(reason: "stopped"), ifCancelled: Failure(reason: "cancelled"))
    }
    task.cancel()
    await #expect(throws: Failure(reason: "cancelled")) { try await task.value }
    try await Task.sleep(for: .milliseconds(100))
    #expect(ran.all.isEmpty)
  }

  @Test func aStoppedThreadAnswersIfStopped() async throws {
    let thread = SerialThread(name: "test")
    thread.stop()
    await #expect(throws: Failure(reason: "stopped")) {
      try await thread.run({ () throws(Failure) -> Int in 1 }, ifStopped: Failure(reason: "stopped"), ifCancelled: Failure(reason: "cancelled"))
    }
  }
}
