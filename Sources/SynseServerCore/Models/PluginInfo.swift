/// One item of `GET /v3/plugin` (PluginSummary, docs/api-v3.md §3.5): the plugin's metadata
/// without `vcs`, plus whether it is active.
///
/// JSON: `{"name", "maintainer", "tag", "description", "id": string, "active": bool}`.
public struct PluginSummary: Sendable {
  public var metadata: PluginMetadataRecord
  public var active: Bool

  public var json: JSONValue {
    .object([
      ("name", .string(metadata.name)), ("maintainer", .string(metadata.maintainer)),
      ("tag", .string(metadata.tag)), ("description", .string(metadata.description)),
      ("id", .string(metadata.id)), ("active", .bool(active)),
    ])
  }
}

/// `GET /v3/plugin/{id}` (PluginInfo, docs/api-v3.md §3.5, §5.16): every metadata field, the
/// active flag after the health call, how the plugin is reached, its version captured at
/// registration and its live health.
///
/// JSON: metadata strings (with `vcs`), `active`, `network: {address, protocol}`,
/// `version` (``PluginVersionRecord``), `health` (``PluginHealthRecord``).
public struct PluginInfo: Sendable {
  public var metadata: PluginMetadataRecord
  public var active: Bool
  /// `network.address`: TCP as configured, `unix:<path>` for sockets (§8.4).
  public var address: String
  /// `network.protocol`: `tcp`, `unix` or `embedded`.
  public var networkProtocol: String
  public var version: PluginVersionRecord
  public var health: PluginHealthRecord

  public var json: JSONValue {
    .object([
      ("name", .string(metadata.name)), ("maintainer", .string(metadata.maintainer)), ("tag", .string(metadata.tag)),
      ("description", .string(metadata.description)), ("vcs", .string(metadata.vcs)), ("id", .string(metadata.id)),
      ("active", .bool(active)),
      ("network", .object([("address", .string(address)), ("protocol", .string(networkProtocol))])),
      ("version", version.json), ("health", health.json),
    ])
  }
}

/// `GET /v3/plugin/health` (docs/api-v3.md §5.17): which plugins answered `Health` with `OK`,
/// which answered otherwise, and how many are active now.
///
/// JSON: `{"status": "healthy"|"unhealthy", "updated": RFC 3339, "healthy": [id],
/// "unhealthy": [id], "active": int, "inactive": int}`.
public struct PluginHealthSummary: Sendable {
  /// Plugin IDs, in registration order, whose health status was `OK`.
  public var healthy: [String]
  /// Plugin IDs that answered with any other status; plugins whose call failed are in neither list.
  public var unhealthy: [String]
  /// How many plugins were asked: all healthy means every one of them is in ``healthy``.
  public var registered: Int
  public var active: Int
  public var inactive: Int
  public var updated: String

  public var json: JSONValue {
    .object([
      ("status", .string(healthy.count == registered ? "healthy" : "unhealthy")), ("updated", .string(updated)),
      ("healthy", .array(healthy.map(JSONValue.string))), ("unhealthy", .array(unhealthy.map(JSONValue.string))),
      ("active", .int(Int64(active))), ("inactive", .int(Int64(inactive))),
    ])
  }
}
