import Synchronization

/// A token bucket (`settings.limiter`): `rate` tokens a second up to `burst`; rate 0 and
/// burst 0 means unlimited.
final class RateLimiter: Sendable {
  private struct Bucket {
    var tokens: Double
    var last: ContinuousClock.Instant
  }

  private let rate: Double
  private let burst: Double
  private let bucket: Mutex<Bucket>

  init(rate: Int, burst: Int) {
    self.rate = Double(rate)
    self.burst = Double(max(burst, rate > 0 ? 1 : 0))
    self.bucket = Mutex(Bucket(tokens: Double(max(burst, rate > 0 ? 1 : 0)), last: .now))
  }

  var isUnlimited: Bool { rate == 0 && burst == 0 }

  /// Waits for a token.
  func wait() async throws {
    guard !isUnlimited else { return }
    while true {
      let delay = bucket.withLock { bucket -> Double in
        let now = ContinuousClock.now
        let elapsed = bucket.last.duration(to: now)
        bucket.tokens = min(burst, bucket.tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        bucket.last = now
        if bucket.tokens >= 1 {
          bucket.tokens -= 1
          return 0
        }
        return rate > 0 ? (1 - bucket.tokens) / rate : 1
      }
      if delay == 0 { return }
      try await Task.sleep(for: .milliseconds(Int(delay * 1000) + 1))
    }
  }
}
