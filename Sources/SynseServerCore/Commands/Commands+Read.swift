import Logging
extension Commands {
  /// Readings from every active plugin (or one, by `pluginID`), in registration order; with
  /// tag groups, one plugin read per group, merged on device + type + timestamp.
  public func read(namespace: String, tagGroups: [[String]], pluginID: String?) async throws(SynseError) -> JSONValue {
    var plugins = await registry.plugins
    if let pluginID {
      guard plugins.contains(where: { $0.id == pluginID }) else {
        throw .invalidUsage("invalid parameter: specified plugin ID does not correspond with known plugin")
      }
      plugins = plugins.filter { $0.id == pluginID }
    }
    plugins = plugins.filter(\.active)
    let groups = tagGroups.isEmpty ? [[]] : Self.applyNamespace(namespace, to: tagGroups)
    // Every (group, plugin) read runs concurrently; results are put back in request order.
    let requests = groups.flatMap { group in plugins.map { (group, $0) } }
    let results = try await readAll(requests)
    if tagGroups.isEmpty { return .array(results.flatMap { $0.map(\.json) }) }
    var order: [String] = []
    var merged: [String: ReadingRecord] = [:]
    for reading in results.joined() {
      let key = reading.mergeKey
      if merged.updateValue(reading, forKey: key) == nil { order.append(key) }
    }
    return .array(order.map { merged[$0]!.json })
  }

  private func readAll(_ requests: [([String], PluginHandle)]) async throws(SynseError) -> [[ReadingRecord]] {
    let outcomes = await withTaskGroup(of: (Int, Result<[ReadingRecord], SynseError>).self) { group in
      for (index, (tags, plugin)) in requests.enumerated() {
        group.addTask {
          do throws(SynseError) {
            return (index, .success(try await call(plugin, "read") { client throws(PluginCallError) in try await client.read(deviceID: "", tags: tags) }))
          } catch {
            return (index, .failure(error))
          }
        }
      }
      var outcomes = [Result<[ReadingRecord], SynseError>](repeating: .success([]), count: requests.count)
      for await (index, outcome) in group { outcomes[index] = outcome }
      return outcomes
    }
    var results: [[ReadingRecord]] = []
    for outcome in outcomes {
      switch outcome {
      case .success(let readings): results.append(readings)
      case .failure(let error): throw error
      }
    }
    return results
  }

  /// Readings of one device, by ID or alias, from its plugin.
  public func readDevice(_ deviceID: String) async throws(SynseError) -> JSONValue {
    let plugin = try await owner(of: deviceID)
    let readings = try await call(plugin, "read device") { client throws(PluginCallError) in try await client.read(deviceID: deviceID, tags: []) }
    return .array(readings.map(\.json))
  }

  /// Streams cached readings of every active plugin; a failing plugin ends the stream early
  /// (logged), as the original does once the response has started.
  public func readCache(start: String, end: String, _ each: @escaping @Sendable (JSONValue) async throws -> Void) async {
    for plugin in await registry.plugins where plugin.active {
      do {
        try await call(plugin, "read cache") { client throws(PluginCallError) in
          try await client.readCache(start: start, end: end) { reading in try await each(reading.json) }
        }
      } catch {
        logger.warning("read cache ended early", metadata: ["plugin": "\(plugin.id)", "error": "\(error)"])
        return
      }
    }
  }
}
