import Foundation

extension Commands {
  /// Queues writes; each transaction is remembered with the device the plugin reports.
  public func writeAsync(deviceID: String, items: [WriteItem]) async throws(SynseError) -> JSONValue {
    let plugin = try await writableOwner(of: deviceID)
    let handles = try await call(plugin, "async write") { client throws(PluginCallError) in try await client.writeAsync(deviceID: deviceID, items: items) }
    for handle in handles {
      transactions.add(handle.id, pluginID: plugin.id, device: handle.device)
      follow(handle.id, plugin: plugin.id, device: devices.device(handle.device)?.id ?? handle.device)
    }
    return .array(handles.map(\.json))
  }

  /// Writes and waits for every transaction to finish; `device` echoes the path value.
  public func writeSync(deviceID: String, items: [WriteItem]) async throws(SynseError) -> JSONValue {
    let plugin = try await writableOwner(of: deviceID)
    let statuses = try await call(plugin, "sync write") { client throws(PluginCallError) in try await client.writeSync(deviceID: deviceID, items: items) }
    for status in statuses { transactions.add(status.id, pluginID: plugin.id, device: deviceID) }
    finishOrFollow(statuses, plugin: plugin, device: devices.device(deviceID)?.id ?? deviceID)
    return .array(statuses.map { $0.json(device: deviceID) })
  }

  public func transactionIDs() -> JSONValue {
    .array(transactions.ids.map(JSONValue.string))
  }

  public func transaction(_ id: String) async throws(SynseError) -> JSONValue {
    guard let entry = transactions.entry(id) else { throw .notFound("transaction not found: \(id)") }
    guard let plugin = await registry.plugin(id: entry.pluginID) else {
      throw .notFound("plugin not found for transaction: \(entry.pluginID)")
    }
    let status = try await call(plugin, "transaction") { client throws(PluginCallError) in try await client.transaction(id: id) }
    return status.json(device: entry.device)
  }

  /// Parses a write body (docs/api-v3.md §5.10 steps 1–3): JSON, an object or array of objects,
  /// each with `action`; `data` and `transaction` strings when present.
  public static func writeItems(from body: [UInt8]) throws(SynseError) -> [WriteItem] {
    guard let json = JSONValue(parsing: Data(body)) else {
      throw .invalidUsage("invalid json: unable to parse POSTed body as JSON")
    }
    return try writeItems(from: json, requireAction: true)
  }

  /// Write items from a decoded payload; WebSocket requests do not require `action` (a
  /// missing one is sent as `""`, as the original does).
  public static func writeItems(from json: JSONValue, requireAction: Bool) throws(SynseError) -> [WriteItem] {
    let elements: [JSONValue]
    switch json {
    case .object: elements = [json]
    case .array(let items): elements = items
    default: throw .invalidUsage("invalid json: expected a write object or a list of write objects")
    }
    var items: [WriteItem] = []
    for element in elements {
      guard case .object(let pairs) = element else {
        throw .invalidUsage("invalid json: expected a write object or a list of write objects")
      }
      let fields = Dictionary(pairs, uniquingKeysWith: { _, last in last })
      if requireAction && fields["action"] == nil {
        throw .invalidUsage("invalid json: key \"action\" is required in payload, but not found")
      }
      func text(_ key: String) throws(SynseError) -> String {
        switch fields[key] {
        case nil, .null?: return ""
        case .string(let text)?: return text
        default: throw .invalidUsage("invalid json: \"\(key)\" must be a string")
        }
      }
      items.append(WriteItem(action: try text("action"), data: try text("data"), transaction: try text("transaction")))
    }
    return items
  }
}
