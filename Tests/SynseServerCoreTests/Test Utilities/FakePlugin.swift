import Synchronization
@testable import SynseServerCore

/// A test double of a plugin process: identity, devices, readings and write transactions in
/// memory, reached through ``FakePluginClient``s. Each transaction moves one status further
/// (`PENDING`, `WRITING`, `DONE`) every time it is asked for, as an SDK plugin's does while its
/// write runs. Calls fail like a lost connection while ``reachable`` is false.
final class FakePlugin: Sendable {
  /// The error of a call to a plugin that is down.
  struct Unreachable: Error, CustomStringConvertible {
    var description: String { "unavailable: connection refused" }
  }

  static let transactionSteps = ["PENDING", "WRITING", "DONE"]

  struct State {
    var metadata: PluginMetadataRecord
    var devices: [DeviceRecord]
    var readings: [ReadingRecord]
    var reachable = true
    var transactions: [String: (context: WriteContext, step: Int)] = [:]
    /// Each transaction's `timeout`, as the SDK gives the device's write timeout.
    var writeTimeout = "30s"
    /// Set: the plugin becomes unreachable right after accepting a write (it died mid-write).
    var vanishAfterWrite = false
    var calls: [String: Int] = [:]
    var refused: [String: Int] = [:]
  }

  private let state: Mutex<State>

  /// - Parameters:
  ///   - id: the plugin ID its `Metadata` reports.
  ///   - devices: its devices; each one's `plugin` should be `id`.
  ///   - readings: what `Read` returns, filtered by device and tags.
  init(id: String, devices: [DeviceRecord] = [], readings: [ReadingRecord] = []) {
    state = Mutex(State(metadata: Self.metadata(id: id), devices: devices, readings: readings))
  }

  static func metadata(id: String) -> PluginMetadataRecord {
    PluginMetadataRecord(name: "fake \(id)", maintainer: "tests", tag: "tests/fake-\(id)", description: "a test double", vcs: "", id: id)
  }

  var reachable: Bool {
    get { state.withLock { $0.reachable } }
    set { state.withLock { $0.reachable = newValue } }
  }

  /// Makes `Devices` return `devices` from now on.
  func replaceDevices(_ devices: [DeviceRecord]) {
    state.withLock { $0.devices = devices }
  }

  /// How many calls of `method` (`metadata`, `devices`, `read`, `writeAsync`, …) it answered.
  func calls(_ method: String) -> Int { state.withLock { $0.calls[method] ?? 0 } }

  /// How many calls of `method` it refused while unreachable.
  func refusals(_ method: String) -> Int { state.withLock { $0.refused[method] ?? 0 } }

  /// Runs `body` as the answer to one call of `method`, or fails while unreachable.
  func answer<T>(_ method: String, _ body: (inout State) -> T) throws(PluginCallError) -> T {
    let answered: T? = state.withLock { state in
      guard state.reachable else {
        state.refused[method, default: 0] += 1
        return nil
      }
      state.calls[method, default: 0] += 1
      return body(&state)
    }
    guard let answered else { throw PluginCallError(Unreachable()) }
    return answered
  }

  func metadata() throws(PluginCallError) -> PluginMetadataRecord { try answer("metadata") { $0.metadata } }

  func devices() throws(PluginCallError) -> [DeviceRecord] { try answer("devices") { $0.devices } }

  /// Readings of devices matching `deviceID` (all when empty) and carrying every tag.
  func read(deviceID: String, tags: [String]) throws(PluginCallError) -> [ReadingRecord] {
    try answer("read") { state in
      let devices = state.devices.filter { device in
        (deviceID.isEmpty || device.id == deviceID || device.alias == deviceID) && tags.allSatisfy(device.tags.contains)
      }
      return state.readings.filter { reading in devices.contains { $0.id == reading.device } }
    }
  }

  func writeAsync(deviceID: String, items: [WriteItem]) throws(PluginCallError) -> [WriteTransactionRecord] {
    try answer("writeAsync") { state in
      items.map { item in
        let id = "\(state.metadata.id)-t\(state.transactions.count + 1)"
        let context = WriteContext(action: item.action, data: item.data, transaction: item.transaction)
        state.transactions[id] = (context, 0)
        if state.vanishAfterWrite { state.reachable = false }
        return WriteTransactionRecord(id: id, device: deviceID, context: context, timeout: state.writeTimeout)
      }
    }
  }

  /// Gives transactions `timeout` from now on; `vanish`: drop off the network after the next write.
  func writes(timeout: String, vanish: Bool) {
    state.withLock { state in
      state.writeTimeout = timeout
      state.vanishAfterWrite = vanish
    }
  }

  /// The transaction's status, then one step further for the next call; `nil` for an unknown ID.
  func transaction(id: String) throws(PluginCallError) -> TransactionRecord? {
    try answer("transaction") { state in
      guard let (context, step) = state.transactions[id] else { return nil }
      state.transactions[id] = (context, min(step + 1, Self.transactionSteps.count - 1))
      return TransactionRecord(
        id: id, created: "2026-01-01T00:00:00Z", updated: "2026-01-01T00:00:0\(step)Z", timeout: state.writeTimeout,
        status: Self.transactionSteps[step], context: context, message: "")
    }
  }

  /// A device of this plugin; `mode` is its capabilities mode (`r`, `rw`, …).
  static func device(_ id: String, plugin: String, type: String = "temperature", tags: [String] = [], mode: String = "r") -> DeviceRecord {
    DeviceRecord(
      timestamp: "2026-01-01T00:00:00Z", id: id, type: type, plugin: plugin, info: "\(type) \(id)", alias: "", sortIndex: 0,
      metadata: [], capabilities: .init(mode: mode, writeActions: nil), tags: tags + ["system/id:\(id)", "system/type:\(type)"],
      outputs: [])
  }

  /// A reading of `device`.
  static func reading(_ device: String, _ value: Int64, type: String = "temperature", timestamp: String = "2026-01-01T00:00:00Z") -> ReadingRecord {
    ReadingRecord(
      device: device, timestamp: timestamp, type: type, deviceType: type, deviceInfo: "", unit: (name: "celsius", symbol: "C"),
      value: .int(value), context: [])
  }
}
