import SynseSupport

/// The echoed write item (docs/api-v3.md §3.7): `transaction` only when non-empty.
public struct WriteContext: Sendable {
  public var action: String
  public var data: String
  public var transaction: String

  public var json: JSONValue {
    var pairs: [(String, JSONValue)] = [("action", .string(action)), ("data", .string(data))]
    if !transaction.isEmpty { pairs.append(("transaction", .string(transaction))) }
    return .object(pairs)
  }
}

/// An async write's handle (TransactionInfo, §3.8).
public struct WriteTransactionRecord: Sendable {
  public var id: String
  public var device: String
  public var context: WriteContext?
  public var timeout: String

  public var json: JSONValue {
    var pairs: [(String, JSONValue)] = [("id", .string(id)), ("device", .string(device))]
    if let context { pairs.append(("context", context.json)) }
    pairs.append(("timeout", .string(timeout)))
    return .object(pairs)
  }
}

/// A transaction's state (TransactionStatus, §3.9); `device` is added by the server.
public struct TransactionRecord: Sendable {
  public var id: String
  public var created: String
  public var updated: String
  public var timeout: String
  public var status: String
  public var context: WriteContext?
  public var message: String

  public func json(device: String) -> JSONValue {
    var pairs: [(String, JSONValue)] = [
      ("id", .string(id)), ("created", .string(created)), ("updated", .string(updated)), ("timeout", .string(timeout)),
      ("status", .string(status)),
    ]
    if let context { pairs.append(("context", context.json)) }
    pairs.append(("message", .string(message)))
    pairs.append(("device", .string(device)))
    return .object(pairs)
  }
}

/// One item of a write request body (§3.6).
public struct WriteItem: Sendable {
  public var action: String
  public var data: String
  public var transaction: String

  public init(action: String, data: String, transaction: String) {
    self.action = action
    self.data = data
    self.transaction = transaction
  }
}

extension TransactionRecord {
  /// A write as the plugin accepted it, before any status: `PENDING`, created now.
  public init(accepted handle: WriteTransactionRecord) {
    let now = Timestamp.now()
    self.init(id: handle.id, created: now, updated: now, timeout: handle.timeout, status: "PENDING", context: handle.context, message: "")
  }
}
