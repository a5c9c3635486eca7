import CSystemd

/// systemd's service notification protocol (`sd_notify`): readiness, status, stopping and
/// watchdog pings. Every call is a no-op returning false when `NOTIFY_SOCKET` is unset, so
/// code can notify unconditionally.
public enum Notifier {
  /// Sends newline-separated `KEY=VALUE` assignments in one datagram.
  @discardableResult
  public static func notify(_ assignments: [String: String]) -> Bool {
    let state = assignments.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
    return sd_notify(0, state) > 0
  }

  @discardableResult
  public static func ready(status: String? = nil) -> Bool {
    var state = ["READY": "1"]
    if let status { state["STATUS"] = status }
    return notify(state)
  }

  @discardableResult
  public static func status(_ text: String) -> Bool { notify(["STATUS": text]) }

  @discardableResult
  public static func stopping() -> Bool { notify(["STOPPING": "1"]) }

  @discardableResult
  public static func watchdogPing() -> Bool { notify(["WATCHDOG": "1"]) }

  /// The watchdog timeout systemd expects pings within (`WATCHDOG_USEC` for this process),
  /// or nil when the watchdog is off.
  public static func watchdogTimeout() -> Duration? {
    var microseconds: UInt64 = 0
    guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
    return .microseconds(Int64(clamping: microseconds))
  }
}
