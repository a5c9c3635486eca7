import SynseSupport
import Testing

struct ExpiryQueueTests {
  @Test func expiresOnlyWhatIsDueOldestFirst() {
    var queue = ExpiryQueue<String, Int>()
    for (key, time) in [("a", 1), ("b", 2), ("c", 2), ("d", 5)] { queue.append(key, expires: time) }
    var expired: [String] = []
    queue.expire(isDue: { $0 <= 2 }) { expired.append($0) }
    #expect(expired == ["a", "b", "c"])
    #expect(queue.count == 1)
    queue.expire(isDue: { $0 <= 4 }) { expired.append($0) }
    #expect(expired == ["a", "b", "c"])
    queue.expire(isDue: { $0 <= 5 }) { expired.append($0) }
    #expect(expired == ["a", "b", "c", "d"])
    #expect(queue.count == 0)
  }

  /// Thousands of keys through a queue that never empties: every key comes out once, in order
  /// (the compaction of the taken front must not lose or repeat one).
  @Test func longRunsKeepEveryKeyOnce() {
    var queue = ExpiryQueue<Int, Int>()
    var expired: [Int] = []
    for time in 0..<10_000 {
      queue.append(time, expires: time)
      queue.expire(isDue: { $0 <= time - 100 }) { expired.append($0) }
    }
    #expect(expired == Array(0..<(10_000 - 100)))
    #expect(queue.count == 100)
  }
}
