import Logging
import Synchronization

/// Shares one plugin `ReadStream` among every follower asking the same plugin for the same
/// selectors: a hundred dashboards streaming the same devices cost the plugin one stream,
/// and each reading is decoded and rendered to JSON once. The plugin stream opens with the
/// first follower and is cancelled when the last one leaves; when it ends (the plugin died
/// or refused), every follower's stream ends with it (docs/api-v3.md §7.5).
final class ReadStreamHub: Sendable {
  private struct Key: Hashable {
    let plugin: String
    let ids: [String]
    let tagGroups: [[String]]
  }

  private struct Follower {
    /// nil: a follower that only keeps the stream open (``LiveFeeds``).
    let each: (@Sendable (JSONValue) -> Void)?
    let ended: CheckedContinuation<Void, Never>
  }

  /// One plugin stream and who follows it; `generation` tells a stream that ended apart
  /// from a newer one opened under the same key after the last follower left.
  private struct Upstream {
    let generation: Int
    var followers: [Int: Follower] = [:]
    let sinks = Sinks()
    var task: Task<Void, Never>?

    mutating func set(_ id: Int, _ follower: Follower?) {
      followers[id] = follower
      let each = followers.sorted { $0.key < $1.key }.compactMap(\.value.each)
      sinks.list.withLock { $0 = each }
    }
  }

  /// The followers' callbacks, held by the stream's task itself, so that a reading does not
  /// look its upstream up by key (plugin ID and selectors, hashed) to find them.
  private final class Sinks: Sendable {
    let list = Mutex<[@Sendable (JSONValue) -> Void]>([])
  }

  private struct State {
    var upstreams: [Key: Upstream] = [:]
    var nextID = 0
  }

  private let state = Mutex(State())
  private let logger: Logger
  /// Evaluates and stores the readings of all-devices streams (the ones ``LiveFeeds`` keep
  /// open) and gives every other reading the health its value gives (``LiveReadings/assessed(_:)``).
  private let live: LiveReadings

  init(live: LiveReadings, logger: Logger) {
    self.live = live
    self.logger = logger
  }

  /// Hands `each` every reading of `plugin` matching the selectors until that plugin's stream
  /// ends or the calling task is cancelled. `each` runs on the shared stream's task, so it must
  /// not block (the WebSocket adapter only puts readings into its bounded buffer). With `each`
  /// nil the stream is only kept open, and a reading nobody follows is not rendered.
  func follow(_ plugin: PluginHandle, ids: [String], tagGroups: [[String]], _ each: (@Sendable (JSONValue) -> Void)?) async {
    let key = Key(plugin: plugin.id, ids: ids, tagGroups: tagGroups)
    let id = state.withLock { state in
      state.nextID += 1
      return state.nextID
    }
    await withTaskCancellationHandler {
      await withCheckedContinuation { (ended: CheckedContinuation<Void, Never>) in
        join(key, id, Follower(each: each, ended: ended), plugin: plugin)
        // Cancelled before joining: the cancellation handler found nothing to remove.
        if Task.isCancelled { leave(key, id) }
      }
    } onCancel: {
      leave(key, id)
    }
  }

  private func join(_ key: Key, _ id: Int, _ follower: Follower, plugin: PluginHandle) {
    state.withLock { state in
      if state.upstreams[key] == nil {
        state.nextID += 1
        let generation = state.nextID
        var upstream = Upstream(generation: generation)
        let sinks = upstream.sinks
        // Above the clients it feeds: one alarm's event woke 100 SSE subscribers, whose writes
        // were queued ahead of the stream's next readings, so the alarms read just after it
        // in the same pass were published up to 19 ms late. One task, so it holds one thread at most.
        upstream.task = Task(priority: .high) { await self.run(key, generation, plugin, sinks) }
        state.upstreams[key] = upstream
      }
      state.upstreams[key]!.set(id, follower)
    }
  }

  /// Removes a follower (once) and ends its wait; the last one out cancels the plugin stream.
  private func leave(_ key: Key, _ id: Int) {
    let (follower, orphaned) = state.withLock { state -> (Follower?, Task<Void, Never>?) in
      guard var upstream = state.upstreams[key], let follower = upstream.followers[id] else { return (nil, nil) }
      upstream.set(id, nil)
      if upstream.followers.isEmpty {
        state.upstreams[key] = nil
        return (follower, upstream.task)
      }
      state.upstreams[key] = upstream
      return (follower, nil)
    }
    orphaned?.cancel()
    follower?.ended.resume()
  }

  private func run(_ key: Key, _ generation: Int, _ plugin: PluginHandle, _ sinks: Sinks) async {
    do throws(PluginCallError) {
      let everything = key.ids.isEmpty && key.tagGroups.isEmpty
      let sequencer = Mutex(ReadingSequencer())
      let devices = live.devices
      try await plugin.client.readStream(ids: key.ids, tagGroups: key.tagGroups) { reading in
        var reading = reading
        sequencer.withLock { $0.number(&reading, outputs: devices.outputCount) }
        let record = everything ? self.live.ingest(reading, plugin: key.plugin) : self.live.assessed(reading).renderedOnce()
        let list = sinks.list.withLock { $0 }
        guard !list.isEmpty else { return }
        let json = record.json
        for sink in list { sink(json) }
      }
    } catch {
      if !Task.isCancelled {
        logger.info("read stream ended", metadata: ["plugin": "\(plugin.id)", "error": "\(error)"])
      }
    }
    let followers = state.withLock { state -> [Follower] in
      guard let upstream = state.upstreams[key], upstream.generation == generation else { return [] }
      state.upstreams[key] = nil
      return Array(upstream.followers.values)
    }
    for follower in followers { follower.ended.resume() }
  }
}
