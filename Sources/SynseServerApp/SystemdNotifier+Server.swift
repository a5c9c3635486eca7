import Logging
import ServiceLifecycle
import SynseServerCore
import Systemd

extension SystemdNotifier {
  /// synse-server under systemd: ready once every listener is up (`listeners` elements on
  /// `listening`) and the first device cache build is done, or 15 s have passed so that a
  /// missing plugin cannot hold startup; `STATUS=` with plugin and device counts, e.g.
  /// `serving on 127.0.0.1:5000; plugins: 1 active of 2; devices: 29`.
  static func server(
    listening: AsyncStream<Void>, listeners: Int, registry: PluginRegistry, devices: DeviceCache, address: String, logger: Logger
  ) -> SystemdNotifier {
    SystemdNotifier(
      logger: logger,
      ready: {
        guard await listenersUp(listening, count: listeners) else { return false }
        let deadline = ContinuousClock.now + .seconds(15)
        while devices.buildCount == 0, ContinuousClock.now < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled {
          try? await Task.sleep(for: .milliseconds(50))
        }
        return true
      },
      // Plugins counted are every registered plugin plus every configured or discovered
      // address that has not answered yet, so an unreachable plugin shows as `0 active of 1`.
      status: {
        let plugins = registry.plugins
        let known = plugins.count + registry.unregisteredSourceCount
        return "serving on \(address); plugins: \(plugins.filter(\.active).count) active of \(known); devices: \(devices.devices.count)"
      })
  }
}
