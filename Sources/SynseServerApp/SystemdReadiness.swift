import Foundation
import Logging
import ServiceLifecycle
import SynseServerCore
import Systemd

/// Tells systemd (`Type=notify`) that the server is ready once it listens and the first
/// device cache build is done (or 15 s have passed, so a missing plugin cannot hold startup),
/// keeps `STATUS=` current with plugin and device counts (never before the listener is bound), pings the watchdog while the
/// plugin registry answers, and sends `STOPPING=1` on shutdown. Without `NOTIFY_SOCKET` it
/// does nothing.
struct SystemdReadiness: Service {
  /// One element per listener that is up.
  let listening: AsyncStream<Void>
  /// How many listeners must be up (the API, and `/metrics` on its own port).
  let listeners: Int
  let registry: PluginRegistry
  let devices: DeviceCache
  let address: String
  let logger: Logger

  func run() async throws {
    guard ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil else { return }
    // Only a listener that is up counts: the stream also ends when startup fails (a taken
    // port) or shutdown begins, and neither may be announced as ready.
    var listened = 0
    for await _ in listening.cancelOnGracefulShutdown() {
      listened += 1
      if listened == listeners { break }
    }
    guard listened == listeners, !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
    let deadline = ContinuousClock.now + .seconds(15)
    while devices.buildCount == 0, ContinuousClock.now < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled {
      try? await Task.sleep(for: .milliseconds(50))
    }
    guard !Task.isShuttingDownGracefully, !Task.isCancelled else { return }
    var status = await statusLine()
    Notifier.ready(status: status)
    logger.info("notified systemd: ready", metadata: ["status": "\(status)"])
    let watchdog = Notifier.watchdogTimeout()
    let interval = watchdog.map { min($0 / 2, .seconds(10)) } ?? .seconds(10)
    await withGracefulShutdownHandler {
      while !Task.isShuttingDownGracefully && !Task.isCancelled {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        guard !Task.isShuttingDownGracefully else { break }
        // The registry actor answering is the sign of life: a wedged server stops pinging.
        let current = await statusLine()
        if watchdog != nil { Notifier.watchdogPing() }
        if current != status {
          status = current
          Notifier.status(status)
        }
      }
    } onGracefulShutdown: {
      Notifier.stopping()
    }
  }

  /// Plugins counted are every registered plugin plus every configured or discovered address
  /// that has not answered yet, so an unreachable plugin shows as `0 active of 1`.
  private func statusLine() async -> String {
    let plugins = registry.plugins
    let known = plugins.count + registry.unregisteredSourceCount
    return "serving on \(address); plugins: \(plugins.filter(\.active).count) active of \(known); devices: \(devices.devices.count)"
  }
}
