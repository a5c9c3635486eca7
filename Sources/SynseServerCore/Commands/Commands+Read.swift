import Synchronization
import Logging
extension Commands {
  /// Readings from every active plugin (or one, by `pluginID`), in registration order; with
  /// tag groups, one plugin read per group, merged on device + type + timestamp.
  public func read(namespace: String, tagGroups: [[String]], pluginID: String?) async throws(SynseError) -> JSONValue {
    var plugins = registry.plugins
    if let pluginID {
      guard plugins.contains(where: { $0.id == pluginID }) else {
        throw .invalidUsage("invalid parameter: specified plugin ID does not correspond with known plugin")
      }
      plugins = plugins.filter { $0.id == pluginID }
    }
    // Inactive plugins are skipped (docs/api-v3.md §8.6), but one that a read wanted is tried now
    // in the background (rate-limited), so the next read finds it back.
    for plugin in plugins where !plugin.active && !plugin.disabled { registry.nudge(plugin.id) }
    plugins = plugins.filter(\.active)
    let groups = tagGroups.isEmpty ? [[]] : Self.applyNamespace(namespace, to: tagGroups)
    // Every (group, plugin) read runs concurrently; results are put back in request order.
    let requests = groups.flatMap { group in plugins.map { (group, $0) } }
    let results = try await readAll(requests)
    if tagGroups.isEmpty {
      if results.count == 1, let only = results.first { return .fragment(only.body) }
      return .array(results.flatMap { $0.readings.map(\.json) })
    }
    var order: [String] = []
    var merged: [String: ReadingRecord] = [:]
    for reading in results.lazy.map(\.readings).joined() {
      let key = reading.mergeKey
      if merged.updateValue(reading, forKey: key) == nil { order.append(key) }
    }
    return .array(order.map { merged[$0]!.json })
  }

  private func readAll(_ requests: [([String], PluginHandle)]) async throws(SynseError) -> [SharedRead] {
    // The common case (one plugin, no tags) skips the task group: a child task per request
    // costs more than the rest of a coalesced read.
    if requests.count == 1, let (tags, plugin) = requests.first {
      let answer = await ReadAnswer(position: 0, commands: self, plugin: plugin, tags: tags)
      if let error = answer.error { throw error }
      return [answer.read]
    }
    let answers = await withTaskGroup(of: ReadAnswer.self) { group in
      for (position, (tags, plugin)) in requests.enumerated() {
        group.addTask { await ReadAnswer(position: position, commands: self, plugin: plugin, tags: tags) }
      }
      var answers: [ReadAnswer] = []
      for await answer in group { answers.append(answer) }
      return answers.sorted { $0.position < $1.position }
    }
    if let failed = answers.first(where: { $0.error != nil }), let error = failed.error { throw error }
    return answers.map(\.read)
  }

  /// Readings of one device, by ID or alias, from its plugin.
  public func readDevice(_ deviceID: String) async throws(SynseError) -> JSONValue {
    let plugin = try await owner(of: deviceID)
    let readings = try await call(plugin, "read device") { client throws(PluginCallError) in try await client.read(deviceID: deviceID, tags: []) }
    return .array(ReadingSequencer.numbered(readings, devices: devices).map { live.assessed($0).json })
  }

  /// Streams live readings from every active plugin until cancelled; tags go to plugins as
  /// given (no default namespace), and a failing plugin's stream just ends (docs/api-v3.md §7.5).
  /// Followers asking a plugin for the same selectors share one plugin stream, so `each` must
  /// not block: it runs on that shared stream.
  public func readStream(ids: [String], tagGroups: [[String]], _ each: @escaping @Sendable (JSONValue) -> Void) async {
    await withDiscardingTaskGroup { group in
      for plugin in registry.plugins where plugin.active {
        group.addTask { await streamHub.follow(plugin, ids: ids, tagGroups: tagGroups, each) }
      }
    }
  }

  /// Streams cached readings of every active plugin; a failing plugin ends the stream early
  /// (logged), as the original does once the response has started.
  public func readCache(start: String, end: String, _ each: @escaping @Sendable (JSONValue) async throws -> Void) async {
    for plugin in registry.plugins where plugin.active {
      do {
        try await call(plugin, "read cache") { client throws(PluginCallError) in
          let sequencer = Mutex(ReadingSequencer())
          try await client.readCache(start: start, end: end) { reading in
            var reading = reading
            sequencer.withLock { $0.number(&reading, outputs: devices.outputCount) }
            try await each(live.annotated(reading).json)
          }
        }
      } catch {
        logger.warning("read cache ended early", metadata: ["plugin": "\(plugin.id)", "error": "\(error)"])
        return
      }
    }
  }
}

extension Commands {
  /// A plugin's readings from its live stream (all of them, or the devices carrying every tag
  /// of `tags`, matched as `/v3/scan` matches them); nil when the stream is not live or primed,
  /// or a tag uses a wildcard, so the plugin is asked directly.
  func liveRead(plugin: PluginHandle, tags: [String]) -> SharedRead? {
    guard live.isLive(plugin: plugin.id) else { return nil }
    if tags.isEmpty { return live.snapshot(plugin: plugin.id) }
    // The SDK's wildcard label `**` is matched by the plugin, not by the device cache.
    guard !tags.contains(where: { $0.hasSuffix(":**") || $0.hasSuffix("/**") || $0 == "**" }) else { return nil }
    return live.snapshot(plugin: plugin.id, devices: Set(devices.devices(withAll: tags).map(\.id)))
  }
}

/// One plugin's answer to one `Read` of a fan-out.
private struct ReadAnswer: Sendable {
  let position: Int
  var read = SharedRead.none
  var error: SynseError?

  init(position: Int, commands: Commands, plugin: PluginHandle, tags: [String]) async {
    self.position = position
    if let served = commands.liveRead(plugin: plugin, tags: tags) {
      read = served
      return
    }
    do {
      read = try await commands.coalescer.read(key: plugin.id + "\u{0}" + tags.joined(separator: "\u{0}")) { () throws(SynseError) in
        // Rendered once here, so every coalesced request reuses the same JSON.
        let readings = try await commands.call(plugin, "read") { client throws(PluginCallError) in try await client.read(deviceID: "", tags: tags) }
        return SharedRead(ReadingSequencer.numbered(readings, devices: commands.devices).map(commands.live.assessed))
      }
    } catch {
      self.error = error
    }
  }
}
