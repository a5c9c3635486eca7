import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import Systemd

/// `SystemdNotifier` against a real Unix datagram socket standing in for systemd's
/// `NOTIFY_SOCKET`: what a unit with `Type=notify` and `WatchdogSec=` receives, in order.
struct SystemdNotifierTests {
  @Test func readyThenWatchdogAndStatusThenStopping() async throws {
    let socket = try NotifySocket()
    let state = Mutex((status: "starting", alive: true))
    let (listening, listened) = AsyncStream<Void>.makeStream()
    // WATCHDOG_USEC 200 ms: a tick every 100 ms.
    let notifier = SystemdNotifier(
      notifier: Notifier(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "200000"]),
      logger: Logger(label: "test"),
      ready: { await SystemdNotifier.listenersUp(listening, count: 2) },
      status: { state.withLock { $0.status } },
      isAlive: { timeout in
        #expect(timeout == .milliseconds(200))
        return state.withLock { $0.alive }
      })
    let group = ServiceGroup(configuration: .init(services: [.init(service: notifier)], logger: Logger(label: "test")))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask { try await group.run() }
      listened.yield()
      #expect(await socket.next(timeout: .milliseconds(300)) == nil, "ready before every listener is up")
      state.withLock { $0.status = "serving 3 devices" }
      listened.yield()
      #expect(await socket.next() == "READY=1\nSTATUS=serving 3 devices")
      #expect(await socket.next() == "WATCHDOG=1")
      state.withLock { $0.status = "serving 4 devices" }
      #expect(await socket.next(skipping: "WATCHDOG=1") == "STATUS=serving 4 devices")
      // A stalled process: the pings stop, status updates go on.
      state.withLock { $0 = (status: "serving 5 devices", alive: false) }
      #expect(await socket.next(skipping: "WATCHDOG=1") == "STATUS=serving 5 devices")
      #expect(await socket.next(timeout: .milliseconds(500)) == nil, "a ping while not alive")
      state.withLock { $0.alive = true }
      #expect(await socket.next() == "WATCHDOG=1")
      await group.triggerGracefulShutdown()
      #expect(await socket.next(skipping: "WATCHDOG=1") == "STOPPING=1")
      try await tasks.waitForAll()
    }
  }

  @Test func nothingIsSentWhenStartupFails() async throws {
    let socket = try NotifySocket()
    let (listening, listened) = AsyncStream<Void>.makeStream()
    let notifier = SystemdNotifier(
      notifier: Notifier(environment: ["NOTIFY_SOCKET": socket.path]), logger: Logger(label: "test"),
      ready: { await SystemdNotifier.listenersUp(listening, count: 1) }, status: { "serving" })
    listened.finish()  // the listener never came up
    await notifier.run()
    #expect(await socket.next(timeout: .milliseconds(200)) == nil)
  }

  @Test func notifierReachesAbstractSocketsAndReadsTheWatchdog() throws {
    let socket = try NotifySocket(abstract: true)
    let notifier = Notifier(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "\(getpid())"])
    #expect(notifier.watchdogTimeout == .seconds(3))
    #expect(notifier.status("a status"))
    #expect(socket.receive() == "STATUS=a status")
    // The watchdog is another process's; no socket at all; a relative path (not systemd's).
    #expect(Notifier(environment: ["WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "1"]).watchdogTimeout == nil)
    #expect(!Notifier(environment: [:]).ready())
    #expect(Notifier(environment: ["NOTIFY_SOCKET": "relative.sock"]).socketPath == nil)
  }
}

/// A bound Unix datagram socket, read as systemd reads its notification socket.
final class NotifySocket: Sendable {
  let path: String
  private let descriptor: Int32

  init(abstract: Bool = false) throws {
    let name = "synse-notify-\(UUID().uuidString.prefix(8))"
    path = abstract ? "@\(name)" : FileManager.default.temporaryDirectory.appendingPathComponent("\(name).sock").path
    descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var bytes = Array(path.utf8)
    if abstract { bytes[0] = 0 }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    guard descriptor >= 0, result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
  }

  deinit {
    close(descriptor)
    if !path.hasPrefix("@") { unlink(path) }
  }

  /// The next datagram, or nil when none comes within `timeout`.
  func receive(timeout: Duration = .seconds(5)) -> String? {
    let (seconds, attoseconds) = timeout.components
    var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = recv(descriptor, &buffer, buffer.count, 0)
    return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
  }

  /// ``receive(timeout:)`` on a thread of its own: blocking a Swift concurrency thread for up to
  /// 5 s starved the notifier under test (and every other test) of one of two threads.
  func next(timeout: Duration = .seconds(5)) async -> String? {
    await withCheckedContinuation { continuation in Thread { continuation.resume(returning: self.receive(timeout: timeout)) }.start() }
  }

  func next(skipping skipped: String) async -> String? {
    await withCheckedContinuation { continuation in Thread { continuation.resume(returning: self.receive(skipping: skipped)) }.start() }
  }

  /// The next datagram other than `skipped` (watchdog pings arrive between the others).
  func receive(skipping skipped: String) -> String? {
    while let message = receive() {
      if message != skipped { return message }
    }
    return nil
  }
}
