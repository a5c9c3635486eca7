import Synchronization

/// The latest reading of every device, per plugin, kept current by the plugin's shared live
/// `ReadStream` (issue 17; docs/health.md "Live reading cache").
///
/// `/v3/read` is served from here while a plugin's stream is live and primed (it has delivered a
/// reading of every device, see ``prime(plugin:patienceOver:)``): the same freshness as a direct `Read`, since plugins
/// answer `Read` from their own current readings, without a plugin call per request. When
/// the stream is down or not yet primed, ``snapshot(plugin:devices:)`` returns nil and the
/// caller reads the plugin directly. Every reading that comes in is evaluated by the
/// ``HealthMonitor`` first and stored with its `health`, its JSON rendered when first read.
public final class LiveReadings: Sendable {
  /// A device's latest readings, one per sensor (reading type and place among the device's
  /// readings of that type, ``ReadingSequencer``), in arrival order, each with when it arrived
  /// and the gap before it (nil for a sensor's first).
  struct Latest {
    var readings: [ReadingRecord]
    var arrivals: [(at: ContinuousClock.Instant, interval: Duration?)]
  }

  struct Feed {
    var live = false
    /// Latest readings per device (``Latest``): one dictionary, so storing a reading hashes
    /// its device ID once.
    var devices: [String: Latest] = [:]
    /// The plugin's whole read, rendered, until the next reading arrives.
    var snapshot: SharedRead?
    var snapshotGeneration = -1
    /// Counts stores, so a snapshot built from older readings is never kept.
    var version = 0
  }

  public let monitor: HealthMonitor
  let devices: DeviceCache
  private let feeds = Mutex<[String: Feed]>([:])

  public init(monitor: HealthMonitor, devices: DeviceCache) {
    self.monitor = monitor
    self.devices = devices
  }

  /// Evaluates a reading of `plugin`'s live all-devices stream, stores it, and returns it with
  /// its `health`, rendered once (when first asked) for every follower of the stream.
  func ingest(_ reading: ReadingRecord, plugin: String) -> ReadingRecord {
    var reading = reading
    reading.health = monitor.observe(reading, plugin: plugin)
    reading = reading.renderedOnce()
    let now = ContinuousClock.now
    feeds.withLock { feeds in feeds[plugin, default: Feed()].store(reading, at: now) }
    return reading
  }

  /// Drops the devices none of whose sensors had a reading for `health.unknown_after` of their
  /// read intervals, as ``HealthMonitor/sweep()`` marks them `unknown`: a device the plugin no
  /// longer reads (removed, or its BMC gone) is left out of `/v3/read` as a direct `Read` leaves
  /// it out, rather than served with its last value until the device cache is rebuilt.
  func sweep() {
    let now = ContinuousClock.now
    let unknownAfter = monitor.unknownAfter
    feeds.withLock { feeds in
      for plugin in feeds.keys {
        let stale = feeds[plugin]!.devices.compactMap { device, latest -> String? in
          let fresh = latest.arrivals.contains { arrival in
            guard let interval = arrival.interval else { return true }
            return arrival.at.duration(to: now) <= interval * unknownAfter
          }
          return fresh ? nil : device
        }
        guard !stale.isEmpty else { continue }
        feeds[plugin]!.drop(stale)
      }
    }
  }

  /// A reading of the read cache with its sensor's current `health`, not evaluated again
  /// (docs/health.md: `/v3/readcache` readings carry their sensor's health now).
  func annotated(_ reading: ReadingRecord) -> ReadingRecord {
    var reading = reading
    reading.health = monitor.health(of: reading)
    return reading
  }

  /// A current reading from another source than the live stream (a direct `Read`, a filtered
  /// stream) with the `health` its value gives (``HealthMonitor/preview(_:)``): the live stream
  /// may not have evaluated it yet, and its sensor's state would be the reading before's.
  func assessed(_ reading: ReadingRecord) -> ReadingRecord {
    var reading = reading
    reading.health = monitor.preview(reading)
    return reading
  }

  /// A new stream of `plugin` opened: not live until primed.
  func begin(plugin: String) {
    feeds.withLock { $0[plugin] = Feed() }
  }

  /// Makes the feed live once the stream has delivered a reading of every device the device
  /// cache lists for `plugin`, or, after `patience` of streaming, of any device (a device that
  /// never reports has no reading in a direct `Read` either).
  ///
  /// - Returns: whether the feed is live.
  func prime(plugin: String, patienceOver: Bool) -> Bool {
    let expected = Set(devices.devices.lazy.filter { $0.plugin == plugin }.map(\.id))
    return feeds.withLock { feeds in
      guard var feed = feeds[plugin] else { return false }
      if !feed.live {
        let covered = !expected.isEmpty && expected.allSatisfy { feed.devices[$0] != nil }
        feed.live = covered || (patienceOver && !feed.devices.isEmpty)
        feeds[plugin] = feed
      }
      return feed.live
    }
  }

  /// The stream of `plugin` ended: reads go to the plugin again.
  func end(plugin: String) {
    feeds.withLock { $0[plugin] = nil }
  }

  /// Whether `plugin`'s reads are served from its live stream.
  public func isLive(plugin: String) -> Bool { feeds.withLock { $0[plugin]?.live ?? false } }

  /// The plugin's current readings in its device order (the device cache's), as a direct
  /// `Read` returns them; only the devices in `devices` when given. Nil when the stream is not
  /// live or the device cache is not built yet.
  func snapshot(plugin: String, devices selected: Set<String>? = nil) -> SharedRead? {
    let generation = devices.buildCount
    guard generation > 0 else { return nil }
    if selected == nil, let cached = feeds.withLock({ feeds -> SharedRead? in
      guard let feed = feeds[plugin], feed.live, feed.snapshotGeneration == generation else { return nil }
      return feed.snapshot
    }) {
      return cached
    }
    let order = devices.devices.lazy.filter { $0.plugin == plugin }.map(\.id).filter { selected?.contains($0) ?? true }
    guard let (readings, version) = feeds.withLock({ feeds -> ([ReadingRecord], Int)? in
      guard let feed = feeds[plugin], feed.live else { return nil }
      return (order.flatMap { feed.devices[$0]?.readings ?? [] }, feed.version)
    }) else { return nil }
    let read = SharedRead(rendered: readings)
    if selected == nil {
      feeds.withLock { feeds in
        guard feeds[plugin]?.live == true, feeds[plugin]?.version == version else { return }
        feeds[plugin]?.snapshot = read
        feeds[plugin]?.snapshotGeneration = generation
      }
    }
    return read
  }
}

extension LiveReadings.Feed {
  mutating func store(_ reading: ReadingRecord, at now: ContinuousClock.Instant) {
    version += 1
    snapshot = nil
    snapshotGeneration = -1
    // Changed in place through the index: a copy out of the dictionary would copy the arrays.
    guard let index = devices.index(forKey: reading.device) else {
      devices[reading.device] = LiveReadings.Latest(readings: [reading], arrivals: [(now, nil)])
      return
    }
    devices.values[index].store(reading, at: now)
  }

  mutating func drop(_ stale: [String]) {
    version += 1
    snapshot = nil
    snapshotGeneration = -1
    for device in stale { devices[device] = nil }
  }
}

extension LiveReadings.Latest {
  mutating func store(_ reading: ReadingRecord, at now: ContinuousClock.Instant) {
    // The device is the same (the feed keys by it): its long ID is not compared again.
    guard let index = readings.firstIndex(where: { $0.ordinal == reading.ordinal && $0.type == reading.type }) else {
      readings.append(reading)
      arrivals.append((now, nil))
      return
    }
    readings[index] = reading
    // As the monitor measures a sensor's read interval: at least a second.
    arrivals[index] = (now, max(.seconds(1), arrivals[index].at.duration(to: now)))
  }
}

extension ReadingRecord {
  /// Same device, type and place among the device's readings of that type: a newer reading of
  /// the same sensor (its context may have changed).
  func isSameSensor(as other: ReadingRecord) -> Bool {
    ordinal == other.ordinal && device == other.device && type == other.type
  }
}
