public import Logging
public import ServiceLifecycle

/// The background work of docs/api-v3.md §8.1 step 8, as one service: plugin refresh every
/// `cache.plugin.refresh_every`, device cache rebuild every `cache.device.rebuild_every`
/// (both right away at start), and reconnect attempts for unreachable plugins as their
/// ``ReconnectSchedule`` says (checked every 250 ms). Whenever the registry changes (a plugin
/// registered, replaced or back), the device cache is rebuilt at once.
public struct PluginMaintenance: Service {
  let registry: PluginRegistry
  let devices: DeviceCache
  let configuration: ServerConfiguration
  let logger: Logger

  public init(registry: PluginRegistry, devices: DeviceCache, configuration: ServerConfiguration, logger: Logger) {
    self.registry = registry
    self.devices = devices
    self.configuration = configuration
    self.logger = logger
  }

  public func run() async throws {
    let devices = self.devices
    let registry = self.registry
    let logger = self.logger
    await registry.setChangeHandler {
      do { try await devices.rebuild(registry: registry, refreshingPlugins: false) } catch {
        logger.error("device cache rebuild failed", metadata: ["error": "\(error)"])
      }
    }
    await registry.refresh()
    await withDiscardingTaskGroup { group in
      group.addTask {
        await every(configuration.cache.deviceRebuildEvery) {
          do { try await devices.rebuild(registry: registry) } catch { logger.error("device cache rebuild failed", metadata: ["error": "\(error)"]) }
        }
      }
      group.addTask { await every(configuration.cache.pluginRefreshEvery, skipFirst: true) { await registry.refresh() } }
      group.addTask { await every(ReconnectSchedule.fastInterval, skipFirst: true) { await registry.probeInactive() } }
    }
  }

  private func every(_ interval: Duration, skipFirst: Bool = false, _ body: () async -> Void) async {
    if skipFirst { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } }
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      await body()
      try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
    }
  }
}
