import Crypto
import Foundation

/// The `X-Synse-Signature` header of a webhook request, as GitHub's `X-Hub-Signature-256`:
/// `sha256=` and the lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the
/// destination's `secret` (its UTF-8 bytes). A receiver recomputes it over the raw body and
/// compares in constant time (Python: `hmac.compare_digest`).
public enum WebhookSignature {
  public static let header = "X-Synse-Signature"

  /// `sha256=<64 hex digits>` for `body` under `secret`.
  public static func value(body: some Sequence<UInt8>, secret: String) -> String {
    let code = HMAC<SHA256>.authenticationCode(for: Array(body), using: SymmetricKey(data: Array(secret.utf8)))
    return "sha256=" + code.map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()
  }
}

/// The waits between attempts to deliver one event: `initial` before the first retry,
/// doubling after each failure, never above `maximum` (Redfish `RetryForeverWithBackoff`).
/// With the defaults (1 s, 30 s): 1, 2, 4, 8, 16, 30, 30, … seconds.
public struct WebhookBackoff: Sendable, Equatable {
  public var initial: Duration
  public var maximum: Duration

  public init(initial: Duration, maximum: Duration) {
    self.initial = initial
    self.maximum = max(initial, maximum)
  }

  /// The wait after `failures` failed attempts in a row (1: the first retry); a receiver's
  /// `Retry-After` (seconds) replaces it, capped at `maximum`.
  public func delay(afterFailures failures: Int, retryAfter: Duration? = nil) -> Duration {
    if let retryAfter { return min(max(retryAfter, .zero), maximum) }
    // 2^(failures-1), stopping once past maximum so the shift never overflows.
    var delay = initial
    for _ in 1..<max(1, failures) {
      delay *= 2
      if delay >= maximum { return maximum }
    }
    return min(delay, maximum)
  }
}
