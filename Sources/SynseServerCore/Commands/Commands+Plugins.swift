import SynseSupport

extension Commands {
  /// ``PluginSummary`` list in registration order (docs/api-v3.md §5.15); refreshes first when
  /// asked or when no plugin is registered.
  public func plugins(refresh: Bool) async -> JSONValue {
    let empty = registry.plugins.isEmpty
    if refresh || empty { await registry.refresh() }
    return .array(registry.plugins.map { PluginSummary(metadata: $0.metadata, active: $0.active).json })
  }

  /// ``PluginInfo`` with a live `Health` call (docs/api-v3.md §5.16).
  ///
  /// - Throws: ``SynseError/notFound(_:)`` for an unknown plugin ID,
  ///   ``SynseError/serverError(_:)`` when the `Health` call fails.
  public func plugin(id: String) async throws(SynseError) -> JSONValue {
    if registry.plugins.isEmpty { await registry.refresh() }
    guard let plugin = await registry.plugin(id: id) else { throw .notFound("plugin not found: \(id)") }
    let health = try await call(plugin, "plugin health") { client throws(PluginCallError) in try await client.health() }
    let active = await registry.plugin(id: id)?.active ?? true
    return PluginInfo(
      metadata: plugin.metadata, active: active, address: plugin.endpoint.address,
      networkProtocol: plugin.endpoint.networkProtocol, version: plugin.version, health: health
    ).json
  }

  /// ``PluginHealthSummary`` of every registered plugin (docs/api-v3.md §5.17).
  public func pluginHealth() async -> JSONValue {
    if registry.plugins.isEmpty { await registry.refresh() }
    let plugins = registry.plugins
    let answers = await withTaskGroup(of: HealthAnswer.self) { group in
      for (position, plugin) in plugins.enumerated() {
        group.addTask {
          let health = try? await call(plugin, "plugin health") { client throws(PluginCallError) in try await client.health() }
          return HealthAnswer(position: position, status: health?.status)
        }
      }
      var answers: [HealthAnswer] = []
      for await answer in group { answers.append(answer) }
      return answers.sorted { $0.position < $1.position }
    }
    let statuses = answers.map(\.status)
    var healthy: [String] = []
    var unhealthy: [String] = []
    for (plugin, status) in zip(plugins, statuses) {
      if status == "OK" { healthy.append(plugin.id) } else if status != nil { unhealthy.append(plugin.id) }
    }
    let after = registry.plugins
    let active = after.filter(\.active).count
    return PluginHealthSummary(
      healthy: healthy, unhealthy: unhealthy, registered: plugins.count, active: active, inactive: after.count - active,
      updated: Timestamp.now()
    ).json
  }
}

/// One plugin's `Health` status (`nil` when the call failed).
private struct HealthAnswer: Sendable {
  let position: Int
  let status: String?
}
