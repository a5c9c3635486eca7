import Testing

@testable import SynseServerCore

/// Issue 15 items 8 and 9: how often an unreachable plugin is tried, and how often that is logged.
@Suite struct ReconnectScheduleTests {
  @Test func triedEvery250MillisecondsWhileExpectedBackThenWithBackoff() {
    let start = ContinuousClock.now
    var schedule = ReconnectSchedule(now: start)
    #expect(schedule.isDue(at: start))
    var now = start
    while now - start < ReconnectSchedule.expectedBack {
      _ = schedule.failed(at: now)
      #expect(schedule.isDue(at: now + ReconnectSchedule.fastInterval))
      #expect(!schedule.isDue(at: now + ReconnectSchedule.fastInterval - .milliseconds(1)))
      now += ReconnectSchedule.fastInterval
    }
    // After the window: docs/api-v3.md §8.6's full-jitter delays with growing bounds (2, 4, … 512 s);
    // by the sixth failure (bound 64 s) the chance of all six delays staying at 250 ms or less is nil.
    var longest: Duration = .zero
    for _ in 0..<6 {
      _ = schedule.failed(at: now)
      var due = now
      while !schedule.isDue(at: due) { due += .milliseconds(250) }
      longest = max(longest, due - now)
    }
    #expect(longest > .seconds(1))
  }

  @Test func requestsMayTryAtOnceButRateLimited() {
    let start = ContinuousClock.now
    var schedule = ReconnectSchedule(now: start)
    #expect(schedule.allowsAttempt(at: start))
    schedule.attempted(at: start)
    #expect(!schedule.allowsAttempt(at: start + .milliseconds(100)))
    #expect(schedule.allowsAttempt(at: start + ReconnectSchedule.fastInterval))
    let late = start + ReconnectSchedule.expectedBack + .seconds(5)
    schedule.attempted(at: late)
    #expect(!schedule.allowsAttempt(at: late + .milliseconds(500)))
    #expect(schedule.allowsAttempt(at: late + ReconnectSchedule.onDemandInterval))
  }

  @Test func oneLogLinePerOutage() {
    var schedule = ReconnectSchedule()
    var logged = [schedule.failed(at: .now)]
    for _ in 0..<10 { logged.append(schedule.failed(at: .now)) }
    #expect(logged == [true] + Array(repeating: false, count: 10))
    // A new outage (the plugin was seen in between) starts a new schedule, logged again.
    var next = ReconnectSchedule()
    let again = next.failed(at: .now)
    #expect(again)
  }
}
