import Foundation
import Logging
import Synchronization

/// The audit trail (docs/auth.md "Audit"): one structured line, at `notice` whatever the
/// `logging` level, on the `synse-server.audit` logger (to the journal under systemd) for
///
/// - every write accepted: `write accepted` with `who`, `address`, `device`, `action`,
///   `data_bytes`, `transaction`;
/// - its end: `write finished` with the same `who`, `device`, `action`, `transaction` and the
///   final `status` (`DONE`, `ERROR`, or `unknown` when its plugin forgot it);
/// - a write nothing of which was accepted (no such device, not writable, its plugin busy or
///   unreachable): `write refused` with `who`, `address`, `device`, `action` (the first item's;
///   `items` counts them), `status` and `reason`;
/// - every refused request: `request denied` with `who` (or `anonymous`), `address`, `request`,
///   `status` (401, 403, 429) and `reason`.
///
/// Tokens never appear: callers are named by their token's `name` or their JWT's `sub`.
public final class AuditLog: Sendable {
  private let logger: Logger
  private let open = Mutex<[String: (who: String, device: String, action: String)]>([:])

  public init(label: String = "synse-server.audit") {
    var logger = Logger(label: label)
    logger.logLevel = .notice
    self.logger = logger
  }

  public func accepted(_ caller: Caller, device: String, item: WriteItem, transaction: String) {
    let (who, device, action) = (Self.clean(caller.label), Self.clean(device), Self.clean(item.action))
    open.withLock { $0[transaction] = (who, device, action) }
    logger.notice(
      "write accepted",
      metadata: [
        "who": "\(who)", "address": "\(caller.address)", "device": "\(device)", "action": "\(action)",
        "data_bytes": "\(item.data.utf8.count)", "transaction": "\(Self.clean(transaction))",
      ])
  }

  /// Text a client chose (an action, a JWT's `sub`, a path), made safe for one log line:
  /// control characters escaped (a newline would start a forged line), at most 200 characters,
  /// and, with `quoting`, in double quotes (`"` and `\` escaped) when it holds a blank, `=` or
  /// `"`, so that `action=state who=token:admin` cannot pass for a second field.
  static func clean(_ text: String, quoting: Bool = true) -> String {
    let quoted = quoting && text.unicodeScalars.prefix(200).contains { $0.properties.isWhitespace || $0 == "=" || $0 == "\"" }
    var cleaned = quoted ? "\"" : ""
    for scalar in text.unicodeScalars.prefix(200) {
      if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" {
        cleaned += scalar.escaped(asASCII: true)
      } else {
        if quoted && (scalar == "\"" || scalar == "\\") { cleaned += "\\" }
        cleaned.unicodeScalars.append(scalar)
      }
    }
    if text.unicodeScalars.count > 200 { cleaned += "…" }
    return quoted ? cleaned + "\"" : cleaned
  }

  /// A write transaction reached its final status; writes accepted before the audit knew them
  /// (none today) are named by transaction alone.
  public func finished(transaction: String, device: String, status: String) {
    let known = open.withLock { $0.removeValue(forKey: transaction) }
    logger.notice(
      "write finished",
      metadata: [
        "who": "\(known?.who ?? "unknown")", "device": "\(known?.device ?? Self.clean(device))", "action": "\(known?.action ?? "")",
        "transaction": "\(Self.clean(transaction))", "status": "\(Self.clean(status))",
      ])
  }

  public func refused(_ caller: Caller, device: String, items: [WriteItem], error: SynseError) {
    logger.notice(
      "write refused",
      metadata: [
        "who": "\(Self.clean(caller.label))", "address": "\(caller.address)", "device": "\(Self.clean(device))",
        "action": "\(Self.clean(items.first?.action ?? ""))", "items": "\(items.count)", "status": "\(error.httpStatus)",
        "reason": "\(Self.clean(error.context))",
      ])
  }

  public func denied(_ who: String, address: String, request: String, error: SynseError) {
    logger.notice(
      "request denied",
      metadata: [
        "who": "\(Self.clean(who))", "address": "\(address)", "request": "\(Self.clean(request))", "status": "\(error.httpStatus)",
        "reason": "\(Self.clean(error.context))",
      ])
  }

  /// Transactions accepted and not yet finished.
  var openCount: Int { open.withLock { $0.count } }
}

/// The per-device write rate (`writes.rate_limit`, `writes.burst`): a token bucket per device
/// that refills at the rate and holds at most the burst; a request of N write items takes N
/// tokens or none (all-or-none, as the plugin accepts them).
public final class WriteRateLimiter: Sendable {
  private let rate: Double
  private let burst: Double
  private let buckets = Mutex<[String: (tokens: Double, at: ContinuousClock.Instant)]>([:])

  public init(rate: Int, burst: Int?) {
    self.rate = Double(rate)
    self.burst = Double(burst ?? max(rate, 1))
  }

  public var isEnabled: Bool { rate > 0 }

  /// Takes `count` writes from `device`'s bucket, or says when they would fit.
  ///
  /// - Throws: ``SynseError/tooManyRequests(_:)`` naming the device, the limit and the wait.
  func admit(_ count: Int, device: String, now: ContinuousClock.Instant = .now) throws(SynseError) {
    guard isEnabled else { return }
    let wanted = Double(count)
    let wait: Double? = buckets.withLock { buckets in
      var bucket = buckets[device] ?? (burst, now)
      let elapsed = bucket.at.duration(to: now)
      bucket.tokens = min(burst, bucket.tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
      bucket.at = now
      defer { buckets[device] = bucket }
      guard bucket.tokens >= wanted else { return wanted > burst ? .infinity : (wanted - bucket.tokens) / rate }
      bucket.tokens -= wanted
      return nil
    }
    guard let wait else { return }
    let limit = "\(Int(rate)) writes per second, at most \(Int(burst)) at once (writes.rate_limit, writes.burst)"
    if wait.isInfinite {
      throw .tooManyRequests("\(count) writes to device \(device) at once are more than its limit of \(limit)", retryAfter: nil)
    }
    let seconds = Int(wait.rounded(.up))
    throw .tooManyRequests("device \(device) is over its write limit of \(limit): retry in \(seconds)s", retryAfter: seconds)
  }
}
