public import Logging
import Synchronization

/// The server's view of all devices (docs/api-v3.md §8.2): rebuilt from every active plugin and
/// swapped in whole; looked up by ID, alias and rendered tag.
public final class DeviceCache: Sendable {
  private struct Contents {
    var devices: [DeviceRecord] = []
    var byID: [String: Int] = [:]
    var byAlias: [String: Int] = [:]
    var byTag: [String: [Int]] = [:]
    /// The unfiltered scan in its default order, rendered once per rebuild.
    var defaultScan: JSONFragment?
  }

  private let contents = Mutex(Contents())
  private let builds = Mutex(0)
  /// Rebuilds started and the latest one whose result was kept: a rebuild that finishes after
  /// a later-started one must not put back older contents.
  private let generations = Mutex((started: 0, kept: 0))
  private let logger: Logger
  private let metrics: ServerMetrics?

  public init(logger: Logger, metrics: ServerMetrics? = nil) {
    self.logger = logger
    self.metrics = metrics
  }

  /// How many times the cache has been built (0 until the first rebuild succeeded).
  public var buildCount: Int { builds.withLock { $0 } }

  /// All devices, in plugin registration order.
  public var devices: [DeviceRecord] { contents.withLock { $0.devices } }

  /// By device ID first, then alias.
  public func device(_ idOrAlias: String) -> DeviceRecord? {
    contents.withLock { contents in
      (contents.byID[idOrAlias] ?? contents.byAlias[idOrAlias]).map { contents.devices[$0] }
    }
  }

  /// Devices carrying every tag string of the group.
  public func devices(withAll tags: [String]) -> [DeviceRecord] {
    contents.withLock { contents in
      guard let first = tags.first, var matches = contents.byTag[first].map(Set.init) else { return [] }
      for tag in tags.dropFirst() { matches.formIntersection(contents.byTag[tag] ?? []) }
      return matches.sorted().map { contents.devices[$0] }
    }
  }

  /// The whole scan in default order, pre-rendered.
  var defaultScan: JSONFragment? { contents.withLock { $0.defaultScan } }

  /// Distinct rendered tags.
  public var tags: Set<String> { contents.withLock { Set($0.byTag.keys) } }

  /// Replaces the contents with the devices of every active plugin. A lost plugin is skipped
  /// (and marked inactive); a plugin's own error aborts the rebuild and keeps the old contents.
  /// Devices that name another plugin than the one that returned them mean that a different
  /// plugin now answers at that address: its identity is checked (which rebuilds again).
  /// `refreshingPlugins: false` skips the plugin refresh of docs/api-v3.md §8.2 (for rebuilds the
  /// registry itself asks for, which must not wait for a refresh).
  public func rebuild(registry: PluginRegistry, refreshingPlugins: Bool = true) async throws(SynseError) {
    var plugins = registry.plugins
    if refreshingPlugins, plugins.isEmpty || plugins.contains(where: { !$0.active || $0.disabled }) {
      await registry.refresh()
      plugins = registry.plugins
    }
    let generation = generations.withLock { $0.started += 1; return $0.started }
    let fetches = await withTaskGroup(of: Fetch.self) { group in
      for (position, plugin) in plugins.enumerated() where plugin.active {
        group.addTask { await Fetch(position: position, plugin: plugin) }
      }
      var fetches: [Fetch] = []
      for await fetch in group { fetches.append(fetch) }
      return fetches.sorted { $0.position < $1.position }
    }
    var fresh = Contents()
    for fetch in fetches {
      if let error = fetch.error {
        if error.isPluginLevel {
          logger.error("device cache rebuild failed", metadata: ["plugin": "\(fetch.plugin.id)", "error": "\(error)"])
          throw .serverError("failed to rebuild device cache")
        }
        await registry.markInactive(fetch.plugin.id, reason: error.description)
        continue
      }
      await registry.markActive(fetch.plugin.id)
      if fetch.devices.contains(where: { $0.plugin != fetch.plugin.id }) {
        let endpoint = fetch.plugin.endpoint
        Task { await registry.checkIdentity(endpoint) }
      }
      for var device in fetch.devices where fresh.byID[device.id] == nil {
        device.renderedSummary = JSONFragment(device.summaryJSON)
        let position = fresh.devices.count
        fresh.devices.append(device)
        fresh.byID[device.id] = position
        if !device.alias.isEmpty {
          if fresh.byAlias[device.alias] == nil {
            fresh.byAlias[device.alias] = position
          } else {
            logger.warning("duplicate device alias ignored", metadata: ["alias": "\(device.alias)", "device": "\(device.id)"])
          }
        }
        for tag in device.tags { fresh.byTag[tag, default: []].append(position) }
      }
    }
    let count = fresh.devices.count
    fresh.defaultScan = JSONFragment(.array(DeviceRecord.sortedForScan(fresh.devices, keys: DeviceRecord.defaultScanOrder).map { device in
      device.renderedSummary.map(JSONValue.fragment) ?? device.summaryJSON
    }))
    let newest = generations.withLock { state in
      guard generation > state.kept else { return false }
      state.kept = generation
      return true
    }
    guard newest else { return }
    contents.withLock { $0 = fresh }
    builds.withLock { $0 += 1 }
    metrics?.registeredDevices(count)
    logger.debug("device cache rebuilt", metadata: ["devices": "\(count)"])
  }
}

/// One plugin's answer to `Devices` during a rebuild.
private struct Fetch: Sendable {
  let position: Int
  let plugin: PluginHandle
  var devices: [DeviceRecord] = []
  var error: PluginCallError?

  init(position: Int, plugin: PluginHandle) async {
    self.position = position
    self.plugin = plugin
    do {
      devices = try await plugin.client.devices()
    } catch {
      self.error = error
    }
  }
}
