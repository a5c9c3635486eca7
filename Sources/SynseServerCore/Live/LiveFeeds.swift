import Logging
public import ServiceLifecycle
import Synchronization

/// Keeps one live all-devices `ReadStream` open per active plugin, through the shared
/// ``ReadStreamHub`` (so a WebSocket client streaming every device shares it), so that health is
/// evaluated with no client connected and `/v3/read` is served from ``LiveReadings``
/// (issue 17; docs/health.md "Live reading cache").
///
/// Once a second it opens the stream of every active plugin that has none (a plugin whose
/// stream ended waits `retry`, doubling up to 30 s, so a plugin that refuses streams is not
/// hammered), marks stale sensors `unknown` and stops serving devices that stopped reporting.
/// When a plugin's stream ends (the plugin died or went away), its sensors become `unknown` at
/// once and its reads go to the plugin again.
public struct LiveFeeds: Service {
  let commands: Commands
  let live: LiveReadings
  let logger: Logger

  public init(commands: Commands) {
    self.commands = commands
    live = commands.live
    logger = commands.logger
  }

  private struct Feeds {
    var running: Set<String> = []
    /// Earliest time a plugin's stream may be opened again, and the wait after the next end.
    var retry: [String: (at: ContinuousClock.Instant, wait: Duration)] = [:]
  }

  private final class Table: Sendable {
    let feeds = Mutex(Feeds())
  }

  public func run() async throws {
    // The loop sleeps a second at a time: cancelled at graceful shutdown, so that does not wait.
    await cancelWhenGracefulShutdown { await self.supervise(Table(), ContinuousClock()) }
  }

  private func supervise(_ table: Table, _ clock: ContinuousClock) async {
    await withDiscardingTaskGroup { group in
      while !Task.isCancelled {
        live.monitor.sweep()
        live.sweep()
        let now = clock.now
        let due = table.feeds.withLock { feeds in
          commands.registry.plugins.filter { plugin in
            plugin.active && !feeds.running.contains(plugin.id) && (feeds.retry[plugin.id].map { now >= $0.at } ?? true)
          }
        }
        for plugin in due {
          table.feeds.withLock { _ = $0.running.insert(plugin.id) }
          group.addTask {
            let opened = clock.now
            await feed(plugin)
            table.feeds.withLock { feeds in
              feeds.running.remove(plugin.id)
              // A stream that stayed up a while ended for a reason of its own: retry soon.
              let previous = feeds.retry[plugin.id]?.wait ?? .zero
              let wait = opened.duration(to: clock.now) > .seconds(60) ? Duration.seconds(1) : min(.seconds(30), max(.seconds(1), previous * 2))
              feeds.retry[plugin.id] = (clock.now + wait, wait)
            }
          }
        }
        try? await Task.sleep(for: .seconds(1))
      }
      group.cancelAll()
    }
  }

  private func feed(_ plugin: PluginHandle) async {
    live.begin(plugin: plugin.id)
    await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        await commands.streamHub.follow(plugin, ids: [], tagGroups: [], nil)
        return true
      }
      // Primed by the stream itself (no extra Read): checked every 100 ms until every device has
      // reported, or any has after 5 s.
      group.addTask {
        let opened = ContinuousClock.now
        while !Task.isCancelled, !live.prime(plugin: plugin.id, patienceOver: opened.duration(to: .now) > .seconds(5)) {
          try? await Task.sleep(for: .milliseconds(100))
        }
        if !Task.isCancelled { logger.info("live feed primed: reads are served from the plugin's stream", metadata: ["plugin": "\(plugin.id)"]) }
        return false
      }
      for await streamEnded in group where streamEnded { group.cancelAll() }
    }
    live.end(plugin: plugin.id)
    if !Task.isCancelled {
      live.monitor.markUnknown(plugin: plugin.id, reason: "the read stream of plugin \(plugin.id) ended")
    }
  }
}
