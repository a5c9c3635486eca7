import Foundation
import SynseSupport

/// `transaction.finished`: one event per accepted write transaction once it reaches a final
/// status (`DONE` or `ERROR`), whether or not a client asks about it.
///
/// Sync writes publish when their wait sees the final status; async writes are followed in the
/// background by polling the plugin's `Transaction` RPC (100 ms, doubling to 5 s) for at most
/// `cache.transaction.ttl`. A transaction that is not final by then, or that its plugin no
/// longer knows (restarted), ends `ERROR` with a `message` saying why (whether the write was
/// applied is unknown) and its `last_status`; `/v3/transaction/{id}` answers the same from then
/// on: every accepted write ends DONE or ERROR.
///
/// Data: `transaction` (its ID; `id` is the event's), `device`, `plugin`, `status`,
/// `message`, `created`, `updated`, `timeout` and `context` as `/v3/transaction/{id}` gives them.
extension Commands {
  /// Final statuses (docs/plugin-protocol.md `WriteStatus`).
  static let finalStatuses: Set<String> = ["DONE", "ERROR"]

  /// Polls the plugin's `Transaction` RPC for `handle` (10 ms, doubling to 50 ms for the first
  /// 2 s, in which most writes end, then to 500 ms: a sync write answers within 50 ms of its
  /// end, as `WriteSync` answered at once) until the transaction is final, publishing it, or
  /// until its own `timeout` (30 s, the Go SDK's
  /// default, when unreadable) plus `grpc.timeout` passed, the plugin stopped answering
  /// (``unreachablePolls`` failed polls in a row over ``unreachableFor``), or the task was
  /// cancelled: then it is handed to ``follow(_:plugin:device:)`` and its latest status
  /// returned with a `message` saying why the wait ended.
  func awaitFinal(_ handle: WriteTransactionRecord, plugin: PluginHandle, device: String) async -> TransactionRecord {
    let allowed = GoDuration.parse(handle.timeout).map { max($0, .zero) } ?? .seconds(30)
    let deadline = ContinuousClock.now + allowed + configuration.grpc.timeout
    var latest = TransactionRecord(accepted: handle)
    // A plugin that restarted and reconnected has a new client: the one handed in is stopped.
    var plugin = plugin
    var problem = ""
    var delay = Duration.milliseconds(10)
    let started = ContinuousClock.now
    // A plugin that stopped answering may not come back within the write's timeout (minutes),
    // and one that restarts no longer knows the transaction: the client is answered now, and
    // the background follower settles the transaction.
    var failedPolls = 0
    var unreachableSince: ContinuousClock.Instant?
    var unreachable = false
    while true {
      do throws(PluginCallError) {
        latest = try await plugin.client.transaction(id: handle.id)
        problem = ""
        failedPolls = 0
        unreachableSince = nil
        if Self.finalStatuses.contains(latest.status) {
          settle(latest, plugin: plugin.id, device: device)
          return latest
        }
      } catch {
        guard !error.isPluginLevel || error.isBusy else {
          return markLost(handle.id, last: latest, plugin: plugin.id, device: device, message: Self.forgotten(plugin.id))
        }
        problem = ": plugin \(plugin.id) not reachable (\(error))"
        if let current = await registry.plugin(id: plugin.id), current.active { plugin = current }
        if !error.isBusy {
          failedPolls += 1
          let since = unreachableSince ?? .now
          unreachableSince = since
          if failedPolls >= Self.unreachablePolls && since.duration(to: .now) >= Self.unreachableFor {
            unreachable = true
            break
          }
        }
      }
      let now = ContinuousClock.now
      guard now < deadline, !Task.isCancelled else { break }
      try? await Task.sleep(until: min(now + delay, deadline), clock: .continuous)
      delay = min(delay * 2, started.duration(to: .now) < .seconds(2) ? .milliseconds(50) : .milliseconds(500))
    }
    follow(handle.id, plugin: plugin.id, device: device)
    let reason =
      Task.isCancelled
      ? "the request ended"
      : unreachable
        ? "the plugin stopped answering (\(failedPolls) polls in a row failed)" : "not final within its timeout (\(handle.timeout)) and grpc.timeout"
    latest.message = "\(reason)\(problem); still followed: GET /v3/transaction/\(handle.id)"
    return latest
  }

  /// Failed polls in a row, over at least ``unreachableFor``, that end a write's wait.
  static let unreachablePolls = 3
  static let unreachableFor: Duration = .seconds(1)

  /// Polls transaction `id` until it is final or `cache.transaction.ttl` passed.
  func follow(_ id: String, plugin pluginID: String, device: String) {
    let ttl = configuration.cache.transactionTTL
    Task {
      let deadline = ContinuousClock.now + ttl
      var delay = Duration.milliseconds(100)
      var lastProblem = "not final within cache.transaction.ttl (\(ttl.components.seconds)s)"
      var last: TransactionRecord?
      while ContinuousClock.now < deadline {
        try? await Task.sleep(until: min(ContinuousClock.now + delay, deadline), clock: .continuous)
        delay = min(delay * 2, .seconds(5))
        guard let plugin = await registry.plugin(id: pluginID), plugin.active else {
          lastProblem = "plugin \(pluginID) was not reachable until cache.transaction.ttl (\(ttl.components.seconds)s) passed"
          continue
        }
        do throws(PluginCallError) {
          let status = try await plugin.client.transaction(id: id)
          last = status
          if Self.finalStatuses.contains(status.status) {
            settle(status, plugin: pluginID, device: device)
            return
          }
        } catch {
          guard !error.isPluginLevel else {
            // The plugin answered that it does not know the transaction (restarted): it never will.
            _ = markLost(id, last: last, plugin: pluginID, device: device, message: Self.forgotten(pluginID))
            return
          }
          lastProblem = "plugin \(pluginID) was not reachable until cache.transaction.ttl (\(ttl.components.seconds)s) passed: \(error)"
        }
      }
      _ = markLost(id, last: last, plugin: pluginID, device: device, message: lastProblem + "; whether the write was applied is unknown")
    }
  }

  static func forgotten(_ plugin: String) -> String {
    "plugin \(plugin) no longer knows the transaction (it restarted before reporting a final status); whether the write was applied is unknown"
  }

  /// Ends a transaction whose plugin can no longer say how it ended: `ERROR` with `message`
  /// and the `last_status` seen, kept by the transaction cache and published once.
  /// Without a status seen from the plugin, the write as accepted gives its fields.
  func markLost(_ id: String, last: TransactionRecord?, plugin: String, device: String, message: String) -> TransactionRecord {
    let last = last ?? transactions.entry(id)?.accepted
    let record = TransactionRecord(
      id: id, created: last?.created ?? "", updated: Timestamp.now(), timeout: last?.timeout ?? "", status: "ERROR",
      context: last?.context, message: message)
    if transactions.settle(id, record) { publishLost(record, lastStatus: last?.status, plugin: plugin, device: device) }
    return transactions.entry(id)?.final ?? record
  }

  /// Keeps a final status the plugin reported, announcing it the first time.
  func settle(_ status: TransactionRecord, plugin: String, device: String) {
    if transactions.settle(status.id, status) { publishFinished(status, plugin: plugin, device: device) }
  }

  private func publishFinished(_ status: TransactionRecord, plugin: String, device: String) {
    var fields: [(String, JSONValue)] = [
      ("transaction", .string(status.id)), ("device", .string(device)), ("plugin", .string(plugin)), ("status", .string(status.status)),
      ("message", .string(status.message)), ("created", .string(status.created)), ("updated", .string(status.updated)),
      ("timeout", .string(status.timeout)),
    ]
    if let context = status.context { fields.append(("context", context.json)) }
    publishTransaction(fields, plugin: plugin, device: device)
  }

  private func publishLost(_ record: TransactionRecord, lastStatus: String?, plugin: String, device: String) {
    var fields: [(String, JSONValue)] = [
      ("transaction", .string(record.id)), ("device", .string(device)), ("plugin", .string(plugin)), ("status", .string(record.status)),
      ("message", .string(record.message)), ("created", .string(record.created)), ("updated", .string(record.updated)),
      ("timeout", .string(record.timeout)), ("last_status", lastStatus.map(JSONValue.string) ?? .null),
    ]
    if let context = record.context { fields.append(("context", context.json)) }
    publishTransaction(fields, plugin: plugin, device: device)
  }

  private func publishTransaction(_ fields: [(String, JSONValue)], plugin: String, device: String) {
    if case .string(let id)? = fields.first(where: { $0.0 == "transaction" })?.1, case .string(let status)? = fields.first(where: { $0.0 == "status" })?.1 {
      audit.finished(transaction: id, device: device, status: status)
    }
    events.publish(.transactionFinished, device: device, plugin: plugin, tags: Set(devices.device(device)?.tags ?? []), fields: fields)
  }
}
