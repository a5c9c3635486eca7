import Foundation
import Logging
import ServiceLifecycle

/// Bounds every shutdown path: once shutdown starts (SIGTERM/SIGINT, or a service failing),
/// the process exits after `limit` even if something still waits (a plugin address whose
/// name never resolves, a call that ignores cancellation). Graceful shutdown normally ends
/// well before that; the exit is logged with status 1 so that it is visible.
///
/// The timer runs on a Dispatch queue, not in Swift concurrency, so that it fires even
/// when every cooperative thread is stuck.
struct ShutdownDeadline: Service {
  let limit: Duration
  let logger: Logger

  func run() async {
    // Returns on graceful shutdown and throws on cancellation: both mean shutdown started.
    try? await gracefulShutdown()
    let logger = self.logger
    let limit = self.limit
    let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
      logger.critical("shutdown did not finish within \(limit); exiting anyway")
      exit(1)
    }
  }
}
