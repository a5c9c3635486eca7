/// One message the server sends on `/v3/connect` (docs/api-v3.md §7.2):
/// `{"id": <request id>, "event": "response/<name>", "data": <payload>}`.
public struct WebSocketReply: Sendable {
  /// The request's `id`, echoed verbatim on success.
  public var id: JSONValue
  public var event: String
  public var data: JSONValue

  public init(id: JSONValue, event: String, data: JSONValue) { (self.id, self.event, self.data) = (id, event, data) }

  /// The `response/error` event answering request `id` with `error`'s Synse body.
  ///
  /// A falsy request id (`0`, `""`, `false`, `null`) is answered as `-1`: the original's
  /// quirk, kept for clients that match on it (docs/api-v3.md §7.2).
  public init(id: JSONValue, error: SynseError) {
    self.init(id: Self.errorID(id), event: "response/error", data: error.body)
  }

  public var json: JSONValue { .object([("id", id), ("event", .string(event)), ("data", data)]) }

  static func errorID(_ id: JSONValue) -> JSONValue {
    switch id {
    case .null, .bool(false), .int(0), .uint(0), .string(""): return .int(-1)
    case .double(let number) where number == 0: return .int(-1)
    default: return id
    }
  }
}
