/// A plugin's static identity and version, captured at registration (§3.5).
public struct PluginMetadataRecord: Sendable {
  public var name: String
  public var maintainer: String
  public var tag: String
  public var description: String
  public var vcs: String
  public var id: String
}

public struct PluginVersionRecord: Sendable {
  public var pluginVersion: String
  public var sdkVersion: String
  public var buildDate: String
  public var gitCommit: String
  public var gitTag: String
  public var arch: String
  public var os: String

  var json: JSONValue {
    .object([
      ("plugin_version", .string(pluginVersion)), ("sdk_version", .string(sdkVersion)), ("build_date", .string(buildDate)),
      ("git_commit", .string(gitCommit)), ("git_tag", .string(gitTag)), ("arch", .string(arch)), ("os", .string(os)),
    ])
  }
}

/// A live `Health` answer.
public struct PluginHealthRecord: Sendable {
  public struct Check: Sendable {
    public var name: String
    public var status: String
    public var message: String
    public var timestamp: String
    public var type: String
  }

  public var timestamp: String
  public var status: String
  public var checks: [Check]

  var json: JSONValue {
    .object([
      ("timestamp", .string(timestamp)), ("status", .string(status)),
      ("checks", .array(checks.map { check in
        .object([
          ("name", .string(check.name)), ("status", .string(check.status)), ("message", .string(check.message)),
          ("timestamp", .string(check.timestamp)), ("type", .string(check.type)),
        ])
      })),
    ])
  }
}
