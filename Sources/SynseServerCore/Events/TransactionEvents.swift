import Foundation

/// `transaction.finished`: one event per accepted write transaction once it reaches a final
/// status (`DONE` or `ERROR`), whether or not a client asks about it.
///
/// Sync writes publish when the plugin answers; async writes are followed in the background
/// by polling the plugin's `Transaction` RPC (100 ms, doubling to 5 s) for at most
/// `cache.transaction.ttl`. A transaction that is not final by then, or that its plugin no
/// longer knows (restarted), is published with status `unknown` and a `message` saying why.
///
/// Data: `transaction` (its ID; `id` is the event's), `device`, `plugin`, `status`,
/// `message`, `created`, `updated`, `timeout` and `context` as `/v3/transaction/{id}` gives them.
extension Commands {
  /// Final statuses (docs/plugin-protocol.md `WriteStatus`).
  static let finalStatuses: Set<String> = ["DONE", "ERROR"]

  /// Publishes the final ones of `statuses` and follows the others.
  func finishOrFollow(_ statuses: [TransactionRecord], plugin: PluginHandle, device: String) {
    for status in statuses {
      if Self.finalStatuses.contains(status.status) {
        publishFinished(status, plugin: plugin.id, device: device)
      } else {
        follow(status.id, plugin: plugin.id, device: device)
      }
    }
  }

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
            publishFinished(status, plugin: pluginID, device: device)
            return
          }
        } catch {
          guard !error.isPluginLevel else {
            // The plugin answered that it does not know the transaction (restarted): it never will.
            publishUnknown(id, last: last, plugin: pluginID, device: device, message: "plugin no longer knows the transaction: \(error)")
            return
          }
          lastProblem = "plugin \(pluginID) was not reachable until cache.transaction.ttl (\(ttl.components.seconds)s) passed: \(error)"
        }
      }
      publishUnknown(id, last: last, plugin: pluginID, device: device, message: lastProblem)
    }
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

  private func publishUnknown(_ id: String, last: TransactionRecord?, plugin: String, device: String, message: String) {
    var fields: [(String, JSONValue)] = [
      ("transaction", .string(id)), ("device", .string(device)), ("plugin", .string(plugin)), ("status", .string("unknown")),
      ("message", .string(message)),
    ]
    if let last {
      fields += [("created", .string(last.created)), ("updated", .string(last.updated)), ("timeout", .string(last.timeout)), ("last_status", .string(last.status))]
      if let context = last.context { fields.append(("context", context.json)) }
    }
    publishTransaction(fields, plugin: plugin, device: device)
  }

  private func publishTransaction(_ fields: [(String, JSONValue)], plugin: String, device: String) {
    events.publish(.transactionFinished, device: device, plugin: plugin, tags: Set(devices.device(device)?.tags ?? []), fields: fields)
  }
}
