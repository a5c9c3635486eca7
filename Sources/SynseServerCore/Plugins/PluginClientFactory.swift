/// Builds the clients that ``PluginRegistry`` reaches plugins through.
///
/// The registry decides when a client is needed (a registration attempt, each reconnect over a
/// fresh connection) and runs its connections through ``PluginConnections``; the factory
/// decides how a plugin is reached: transport, TLS, call deadline, metrics. The server's is
/// ``GRPCPluginClientFactory``; tests give the registry one that hands out test doubles.
public protocol PluginClientFactory: Sendable {
  /// Whether an embedded plugin of this name is served in this process. `plugin.embedded`
  /// names it does not serve are not plugin sources.
  func servesEmbeddedPlugin(named name: String) -> Bool

  /// A new client for `endpoint`. An embedded plugin's client is asked for once: the registry
  /// keeps it (an in-process transport takes one client).
  ///
  /// - Parameters:
  ///   - endpoint: where the plugin is reached.
  ///   - label: the plugin ID this endpoint's metrics are labelled with, empty until a
  ///     registration learns it.
  ///   - onNewConnection: called, without blocking, for every connection the client opens
  ///     after its first: the plugin restarted, maybe as another plugin, so the registry
  ///     checks its identity again.
  /// - Returns: a client whose connections are not running yet.
  /// - Throws: any error when no client can be built for `endpoint` (no such embedded plugin,
  ///   an invalid TLS set-up); the registry logs it and retries on its schedule.
  func makeClient(
    for endpoint: PluginEndpoint, label: PluginLabel, onNewConnection: @escaping @Sendable () -> Void
  ) throws -> any PluginClient
}
