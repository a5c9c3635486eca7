/// Exponential backoff with full jitter for reconnect probes (docs/api-v3.md §8.6): each delay
/// is uniform in [0, base·2^n] with n growing to 9, reset after a long quiet period.
public struct Backoff: Sendable {
  public let base: Duration
  public let cap: Int
  private(set) var exponent = 0
  private var lastDelay: ContinuousClock.Instant?

  public init(base: Duration = .seconds(1), cap: Int = 9) {
    self.base = base
    self.cap = cap
  }

  /// The upper bound of the next delay, advancing the exponent.
  public mutating func nextBound() -> Duration {
    let now = ContinuousClock.now
    if let lastDelay, lastDelay.duration(to: now) > base * (1 << (cap + 1)) { exponent = 0 }
    lastDelay = now
    exponent = min(exponent + 1, cap)
    return base * (1 << exponent)
  }

  /// A random delay within the next bound.
  public mutating func nextDelay() -> Duration {
    let bound = nextBound()
    let milliseconds = Int64(bound.components.seconds) * 1000 + Int64(bound.components.attoseconds / 1_000_000_000_000_000)
    return .milliseconds(Int64.random(in: 0...max(milliseconds, 1)))
  }

  public mutating func reset() {
    exponent = 0
    lastDelay = nil
  }
}
