/// `GET /test` and `request/status` (docs/api-v3.md §5.1): the server is up.
///
/// JSON: `{"status": "ok", "timestamp": RFC 3339}`.
public struct ServerStatus: Sendable {
  public var timestamp: String

  public var json: JSONValue { .object([("status", .string("ok")), ("timestamp", .string(timestamp))]) }
}

/// `GET /version` and `request/version` (docs/api-v3.md §5.2).
///
/// JSON: `{"version": server version, "api_version": "v3"}`.
public struct ServerVersion: Sendable {
  public var version: String
  public var apiVersion = "v3"

  public var json: JSONValue { .object([("version", .string(version)), ("api_version", .string(apiVersion))]) }
}
