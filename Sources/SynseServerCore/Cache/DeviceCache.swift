public import Logging
import Synchronization

/// The server's view of all devices (api-v3.md §8.2): rebuilt from every active plugin and
/// swapped in whole; looked up by ID, alias and rendered tag.
public final class DeviceCache: Sendable {
  private struct Contents {
    var devices: [DeviceRecord] = []
    var byID: [String: Int] = [:]
    var byAlias: [String: Int] = [:]
    var byTag: [String: [Int]] = [:]
  }

  private let contents = Mutex(Contents())
  private let logger: Logger

  public init(logger: Logger) {
    self.logger = logger
  }

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

  /// Distinct rendered tags.
  public var tags: Set<String> { contents.withLock { Set($0.byTag.keys) } }

  /// Replaces the contents with the devices of every active plugin. A lost plugin is skipped
  /// (and marked inactive); a plugin's own error aborts the rebuild and keeps the old contents.
  public func rebuild(registry: PluginRegistry) async throws(SynseError) {
    var plugins = await registry.plugins
    if plugins.isEmpty || plugins.contains(where: { !$0.active || $0.disabled }) {
      await registry.refresh()
      plugins = await registry.plugins
    }
    let results = await withTaskGroup(of: (Int, Result<[DeviceRecord], PluginCallError>).self) { group in
      for (index, plugin) in plugins.enumerated() where plugin.active {
        group.addTask {
          do throws(PluginCallError) {
            return (index, .success(try await plugin.client.devices()))
          } catch {
            return (index, .failure(error))
          }
        }
      }
      var results: [(Int, Result<[DeviceRecord], PluginCallError>)] = []
      for await result in group { results.append(result) }
      return results.sorted { $0.0 < $1.0 }
    }
    var fresh = Contents()
    for (index, result) in results {
      switch result {
      case .success(let devices):
        await registry.markActive(plugins[index].id)
        for device in devices where fresh.byID[device.id] == nil {
          let position = fresh.devices.count
          fresh.devices.append(device)
          fresh.byID[device.id] = position
          if !device.alias.isEmpty {
            if fresh.byAlias[device.alias] == nil { fresh.byAlias[device.alias] = position }
            else { logger.warning("duplicate device alias ignored", metadata: ["alias": "\(device.alias)", "device": "\(device.id)"]) }
          }
          for tag in device.tags { fresh.byTag[tag, default: []].append(position) }
        }
      case .failure(let error) where error.isPluginLevel:
        logger.error("device cache rebuild failed", metadata: ["plugin": "\(plugins[index].id)", "error": "\(error)"])
        throw .serverError("failed to rebuild device cache")
      case .failure(let error):
        await registry.markInactive(plugins[index].id, reason: error.description)
      }
    }
    let count = fresh.devices.count
    contents.withLock { $0 = fresh }
    logger.debug("device cache rebuilt", metadata: ["devices": "\(count)"])
  }
}
