import Logging
import SynseSDK

extension RedfishParts {
  /// The real parts: ``RedfishEndpointSettings`` and ``RedfishClient`` (AsyncHTTPClient),
  /// ``RedfishDiscovery``, ``RedfishWriter``.
  static let live = RedfishParts(
    endpoint: { item throws(ConfigError) in
      let settings = try RedfishEndpointSettings(item)
      return RedfishEndpoint(
        endpoint: settings.endpoint, timeout: settings.timeout,
        connect: { logger throws(RedfishError) in try RedfishClient(settings: settings, logger: logger) },
        disconnect: { transport in await (transport as? RedfishClient)?.shutdown() })
    },
    walk: { transport, logger throws(RedfishError) in try await RedfishDiscovery.walk(transport, logger: logger) },
    write: { point, action, data, transport in
      try await RedfishWriter.write(point, action: action, data: data, transport: transport)
    },
    actions: { control in RedfishWriter.actions(for: control) })
}
