extension Commands {
  /// PluginSummary list in registration order; refreshes first when asked or when empty.
  public func plugins(refresh: Bool) async -> JSONValue {
    let empty = registry.plugins.isEmpty
    if refresh || empty { await registry.refresh() }
    return .array(registry.plugins.map { plugin in
      .object([
        ("name", .string(plugin.metadata.name)), ("maintainer", .string(plugin.metadata.maintainer)),
        ("tag", .string(plugin.metadata.tag)), ("description", .string(plugin.metadata.description)),
        ("id", .string(plugin.id)), ("active", .bool(plugin.active)),
      ])
    })
  }

  /// PluginInfo with a live `Health` call.
  public func plugin(id: String) async throws(SynseError) -> JSONValue {
    if registry.plugins.isEmpty { await registry.refresh() }
    guard let plugin = await registry.plugin(id: id) else { throw .notFound("plugin not found: \(id)") }
    let health = try await call(plugin, "plugin health") { client throws(PluginCallError) in try await client.health() }
    let active = await registry.plugin(id: id)?.active ?? true
    let metadata = plugin.metadata
    return .object([
      ("name", .string(metadata.name)), ("maintainer", .string(metadata.maintainer)), ("tag", .string(metadata.tag)),
      ("description", .string(metadata.description)), ("vcs", .string(metadata.vcs)), ("id", .string(metadata.id)),
      ("active", .bool(active)),
      ("network", .object([("address", .string(plugin.endpoint.address)), ("protocol", .string(plugin.endpoint.networkProtocol))])),
      ("version", plugin.version.json), ("health", health.json),
    ])
  }

  /// Aggregate health of every registered plugin (docs/api-v3.md §5.17).
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
    var healthy: [JSONValue] = []
    var unhealthy: [JSONValue] = []
    for (plugin, status) in zip(plugins, statuses) {
      if status == "OK" { healthy.append(.string(plugin.id)) } else if status != nil { unhealthy.append(.string(plugin.id)) }
    }
    let after = registry.plugins
    let active = after.filter(\.active).count
    return .object([
      ("status", .string(healthy.count == plugins.count ? "healthy" : "unhealthy")), ("updated", .string(Self.now())),
      ("healthy", .array(healthy)), ("unhealthy", .array(unhealthy)),
      ("active", .int(Int64(active))), ("inactive", .int(Int64(after.count - active))),
    ])
  }
}

/// One plugin's `Health` status (`nil` when the call failed).
private struct HealthAnswer: Sendable {
  let position: Int
  let status: String?
}
