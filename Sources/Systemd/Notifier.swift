import Foundation

/// systemd's service notification protocol (`sd_notify(3)`): `KEY=VALUE` lines sent as one
/// datagram to the Unix socket `NOTIFY_SOCKET` names (a path, or `@name` in the abstract
/// namespace). Written here rather than through `sd_notify` so that the socket and the
/// watchdog come from a given environment (a test's socket, not the process's variables).
/// Every call is a no-op returning false without `NOTIFY_SOCKET`, so code can notify
/// unconditionally.
public struct Notifier: Sendable {
  /// The socket from `NOTIFY_SOCKET`, nil when unset or not `/…` or `@…`.
  public let socketPath: String?
  /// `WATCHDOG_USEC` when set for this process (`WATCHDOG_PID` unset or ours): the time
  /// systemd expects pings within; nil when the watchdog is off.
  public let watchdogTimeout: Duration?

  /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`
  /// (nil: this process's).
  public init(environment: [String: String]? = nil) {
    let environment = environment ?? ProcessInfo.processInfo.environment
    let path = environment["NOTIFY_SOCKET"]
    socketPath = path.flatMap { $0.hasPrefix("/") || ($0.hasPrefix("@") && $0.count > 1) ? $0 : nil }
    let forUs = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
    let microseconds = environment["WATCHDOG_USEC"].flatMap { Int64($0) }
    watchdogTimeout = forUs ? microseconds.flatMap { $0 > 0 ? .microseconds($0) : nil } : nil
  }

  /// Whether notifications go anywhere.
  public var isEnabled: Bool { socketPath != nil }

  /// Sends the assignments (sorted by key, newline-separated) in one datagram; true when sent.
  @discardableResult
  public func notify(_ assignments: [String: String]) -> Bool {
    let state = assignments.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
    guard let socketPath else { return false }
    return Self.send(Array(state.utf8), to: socketPath)
  }

  @discardableResult
  public func ready(status: String? = nil) -> Bool {
    var state = ["READY": "1"]
    if let status { state["STATUS"] = status }
    return notify(state)
  }

  @discardableResult
  public func status(_ text: String) -> Bool { notify(["STATUS": text]) }

  @discardableResult
  public func stopping() -> Bool { notify(["STOPPING": "1"]) }

  @discardableResult
  public func watchdogPing() -> Bool { notify(["WATCHDOG": "1"]) }

  private static func send(_ datagram: [UInt8], to path: String) -> Bool {
    let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var name = Array(path.utf8)
    let abstract = name.first == UInt8(ascii: "@")
    if abstract { name[0] = 0 }  // abstract namespace: a leading NUL, no terminator
    guard name.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
    let length = socklen_t(MemoryLayout<sa_family_t>.size + name.count + (abstract ? 0 : 1))
    let sent = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
        datagram.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
      }
    }
    return sent == datagram.count
  }
}
