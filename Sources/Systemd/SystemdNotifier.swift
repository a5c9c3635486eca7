public import Logging
public import ServiceLifecycle

/// systemd support of a Synse process as one `Service` (`Type=notify`, `WatchdogSec=`):
///
/// 1. waits for `ready` (the process's listeners are up, and whatever else it waits for),
///    then sends `READY=1` with `STATUS=` from `status`;
/// 2. every `interval`, or at half of `WATCHDOG_USEC` when that is shorter, sends
///    `WATCHDOG=1` while `isAlive` holds (given the watchdog timeout; a stalled process
///    withholds the ping and is restarted) and `STATUS=` when the text changed;
/// 3. sends `STOPPING=1` when graceful shutdown begins.
///
/// Without `NOTIFY_SOCKET` it returns at once. Nothing is sent when `ready` answers false
/// (startup failed or shutdown began first). Put it after the services it watches in the
/// group, so that graceful shutdown (reverse order) reaches it first.
public struct SystemdNotifier: Service {
  let notifier: Notifier
  let interval: Duration
  let ready: @Sendable () async -> Bool
  let status: @Sendable () async -> String
  let isAlive: @Sendable (_ watchdogTimeout: Duration) async -> Bool
  let logger: Logger

  /// - Parameters:
  ///   - ready: returns once the process is ready (true) or never will be (false).
  ///   - status: the one-line `STATUS=` text; its answering also counts as a sign of life.
  ///   - isAlive: whether the process still makes progress within the watchdog timeout.
  public init(
    notifier: Notifier = Notifier(), interval: Duration = .seconds(10), logger: Logger,
    ready: @escaping @Sendable () async -> Bool, status: @escaping @Sendable () async -> String,
    isAlive: @escaping @Sendable (_ watchdogTimeout: Duration) async -> Bool = { _ in true }
  ) {
    self.notifier = notifier
    self.interval = interval
    self.ready = ready
    self.status = status
    self.isAlive = isAlive
    self.logger = logger
  }

  public func run() async {
    guard notifier.isEnabled else { return }
    guard await ready(), !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
    var sent = await status()
    notifier.ready(status: sent)
    logger.info("notified systemd: ready", metadata: ["status": "\(sent)"])
    let watchdog = notifier.watchdogTimeout
    let tick = watchdog.map { min($0 / 2, interval) } ?? interval
    await withGracefulShutdownHandler {
      while !Task.isShuttingDownGracefully && !Task.isCancelled {
        if let watchdog {
          if await isAlive(watchdog) {
            notifier.watchdogPing()
          } else {
            logger.warning("process stalled; withholding the systemd watchdog ping", metadata: ["timeout": "\(watchdog)"])
          }
        }
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) }
        guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
        let current = await status()
        if current != sent {
          sent = current
          notifier.status(current)
        }
      }
    } onGracefulShutdown: {
      notifier.stopping()
    }
  }

  /// Waits until `count` listeners are up, `listening` yielding once per listener; false
  /// when the stream ends first or shutdown begins (a taken port must not be announced).
  public static func listenersUp(_ listening: AsyncStream<Void>, count: Int) async -> Bool {
    var up = 0
    for await _ in listening.cancelOnGracefulShutdown() {
      up += 1
      if up == count { break }
    }
    return up == count && !Task.isCancelled && !Task.isShuttingDownGracefully
  }
}
