import Foundation

extension Commands {
  /// Queues writes; each transaction is remembered with the device the plugin reports.
  /// `caller` is who the audit log names; over the device's write rate → 429.
  public func writeAsync(deviceID: String, items: [WriteItem], caller: Caller = .anonymous()) async throws(SynseError) -> JSONValue {
    let (plugin, handles) = try await accept(deviceID: deviceID, items: items, caller: caller, operation: "async write")
    for handle in handles {
      transactions.add(handle.id, pluginID: plugin.id, device: handle.device, accepted: TransactionRecord(accepted: handle))
      follow(handle.id, plugin: plugin.id, device: devices.device(handle.device)?.id ?? handle.device)
    }
    return .array(handles.map(\.json))
  }

  /// Writes and waits until every transaction is final (docs/api-v3.md §5.11); `device`
  /// echoes the path value. The plugin's `WriteAsync`, then each transaction awaited by
  /// ``awaitFinal(_:plugin:device:)`` for as long as its own timeout allows. The original made
  /// one `WriteSync` call bounded by `grpc.timeout` (3 s), so a slower write failed with 500,
  /// its transaction was lost and a working plugin was marked inactive.
  /// - Returns: each transaction's final status, or for one still open when its wait ended
  ///   (plugin unreachable) its latest status with a `message` saying so; it stays cached and
  ///   followed, so its `transaction.finished` event still comes.
  public func writeSync(deviceID: String, items: [WriteItem], caller: Caller = .anonymous()) async throws(SynseError) -> JSONValue {
    let (plugin, handles) = try await accept(deviceID: deviceID, items: items, caller: caller, operation: "sync write")
    let device = devices.device(deviceID)?.id ?? deviceID
    for handle in handles { transactions.add(handle.id, pluginID: plugin.id, device: deviceID, accepted: TransactionRecord(accepted: handle)) }
    let statuses = await withTaskGroup(of: (Int, TransactionRecord).self) { group in
      for (index, handle) in handles.enumerated() {
        group.addTask { (index, await self.awaitFinal(handle, plugin: plugin, device: device)) }
      }
      var statuses = [TransactionRecord?](repeating: nil, count: handles.count)
      for await (index, status) in group { statuses[index] = status }
      return statuses.compactMap { $0 }
    }
    return .array(statuses.map { $0.json(device: deviceID) })
  }

  /// Hands `items` to the device's plugin within the device's write rate; the audit log gets
  /// each accepted transaction, or one `write refused` line naming why nothing was accepted
  /// (no such device, not writable, plugin busy or unreachable; over the rate is a `request
  /// denied` of its own).
  private func accept(deviceID: String, items: [WriteItem], caller: Caller, operation: String) async throws(SynseError)
    -> (PluginHandle, [WriteTransactionRecord])
  {
    do throws(SynseError) {
      let plugin = try await writableOwner(of: deviceID)
      try limit(items.count, deviceID: deviceID, caller: caller)
      let handles = try await call(plugin, operation) { client throws(PluginCallError) in try await client.writeAsync(deviceID: deviceID, items: items) }
      auditAccepted(handles, items: items, device: deviceID, caller: caller)
      return (plugin, handles)
    } catch {
      if error.httpStatus != 429 { audit.refused(caller, device: devices.device(deviceID)?.id ?? deviceID, items: items, error: error) }
      throw error
    }
  }

  /// The device's write rate (`writes.rate_limit`); a refusal is audited.
  private func limit(_ count: Int, deviceID: String, caller: Caller) throws(SynseError) {
    do throws(SynseError) {
      try writeLimiter.admit(count, device: devices.device(deviceID)?.id ?? deviceID)
    } catch {
      audit.denied(caller.label, address: caller.address, request: "write \(deviceID)", error: error)
      throw error
    }
  }

  private func auditAccepted(_ handles: [WriteTransactionRecord], items: [WriteItem], device: String, caller: Caller) {
    for (index, handle) in handles.enumerated() {
      let item = index < items.count ? items[index] : WriteItem(action: "", data: "", transaction: handle.id)
      audit.accepted(caller, device: devices.device(device)?.id ?? device, item: item, transaction: handle.id)
    }
  }

  public func transactionIDs() -> JSONValue {
    .array(transactions.ids.map(JSONValue.string))
  }

  public func transaction(_ id: String) async throws(SynseError) -> JSONValue {
    guard let entry = transactions.entry(id) else { throw .notFound("transaction not found: \(id)") }
    if let final = entry.final { return final.json(device: entry.device) }
    guard let plugin = await registry.plugin(id: entry.pluginID) else {
      throw .notFound("plugin not found for transaction: \(entry.pluginID)")
    }
    // A plugin that answers it does not know the transaction restarted since: it never will.
    let status: TransactionRecord? = try await call(plugin, "transaction") { client throws(PluginCallError) in
      do throws(PluginCallError) {
        return try await client.transaction(id: id)
      } catch {
        guard error.isPluginLevel && !error.isBusy else { throw error }
        return nil
      }
    }
    guard let status else {
      let lost = markLost(id, last: nil, plugin: plugin.id, device: entry.device, message: Self.forgotten(plugin.id))
      return lost.json(device: entry.device)
    }
    if Self.finalStatuses.contains(status.status) { settle(status, plugin: plugin.id, device: entry.device) }
    return status.json(device: entry.device)
  }

  /// Parses a write body (docs/api-v3.md §5.10 steps 1–3): JSON, an object or a non-empty array
  /// of objects, each with `action`; `data` and `transaction` strings when present.
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
    // The original forwarded `[]` and the plugin's refusal came back as a 500 (docs/api-v3.md §5.10).
    guard !elements.isEmpty else { throw .invalidUsage("invalid json: the list of write objects is empty") }
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
