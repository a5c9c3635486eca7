import Foundation
import Logging
import ServiceLifecycle
import SynseServerCore
import Systemd

/// Tells systemd (`Type=notify`) that the server is ready once it listens and the first
/// device cache build is done (or 15 s have passed, so a missing plugin cannot hold startup),
/// keeps `STATUS=` current with plugin and device counts, pings the watchdog while the
/// plugin registry answers, and sends `STOPPING=1` on shutdown. Without `NOTIFY_SOCKET` it
/// does nothing.
struct SystemdReadiness: Service {
  let listening: AsyncStream<Void>
  let registry: PluginRegistry
  let devices: DeviceCache
  let address: String
  let logger: Logger

  func run() async throws {
    guard ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil else { return }
    for await _ in listening.cancelOnGracefulShutdown() { break }
    let deadline = ContinuousClock.now + .seconds(15)
    while devices.buildCount == 0, ContinuousClock.now < deadline, !Task.isShuttingDownGracefully {
      try? await Task.sleep(for: .milliseconds(50))
    }
    guard !Task.isShuttingDownGracefully else { return }
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

  private func statusLine() async -> String {
    let plugins = registry.plugins
    return "serving on \(address); plugins: \(plugins.filter(\.active).count) active of \(plugins.count); devices: \(devices.devices.count)"
  }
}
