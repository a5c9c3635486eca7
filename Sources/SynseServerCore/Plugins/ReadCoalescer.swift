import Synchronization

/// Shares one in-flight plugin `Read` among concurrent requests for the same plugin and
/// selector: a request arriving while an identical call is running waits for that call's
/// answer instead of issuing its own. Readings come from the plugin's read loop, so the
/// shared answer is at most one call old; under load this turns N identical RPCs into one.
final class ReadCoalescer: Sendable {
  typealias Outcome = Result<SharedRead, SynseError>

  private let waiting = Mutex<[String: [CheckedContinuation<Outcome?, Never>]]>([:])

  /// Runs `read` unless the same `key` is already being read, in which case it waits for
  /// that read's outcome.
  func read(key: String, _ read: () async throws(SynseError) -> SharedRead) async throws(SynseError) -> SharedRead {
    let isLeader = waiting.withLock { waiting in
      if waiting[key] != nil { return false }
      waiting[key] = []
      return true
    }
    if !isLeader {
      let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome?, Never>) in
        let joined = waiting.withLock { waiting -> Bool in
          guard waiting[key] != nil else { return false }
          waiting[key]!.append(continuation)
          return true
        }
        // The leader finished between our check and now: nothing to join, so read anew.
        if !joined { continuation.resume(returning: nil) }
      }
      guard let outcome else { return try await self.read(key: key, read) }
      return try outcome.get()
    }
    let outcome: Outcome
    do throws(SynseError) {
      outcome = .success(try await read())
    } catch {
      outcome = .failure(error)
    }
    let followers = waiting.withLock { $0.removeValue(forKey: key) ?? [] }
    for follower in followers { follower.resume(returning: outcome) }
    return try outcome.get()
  }
}

/// One plugin's readings as every coalesced request gets them: each reading rendered once,
/// and the whole list rendered once as the body of a single-plugin `/v3/read`.
struct SharedRead: Sendable {
  let readings: [ReadingRecord]
  let body: JSONFragment
  static let none = SharedRead([])

  init(_ readings: [ReadingRecord]) {
    self.init(rendered: readings.map { $0.renderedOnce() })
  }

  /// Readings already rendered (``ReadingRecord/renderedOnce()``).
  init(rendered readings: [ReadingRecord]) {
    self.readings = readings
    body = JSONFragment(.array(readings.map(\.json)))
  }
}
