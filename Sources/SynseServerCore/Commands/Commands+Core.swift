import SynseSupport

extension Commands {
  /// ``ServerStatus`` stamped now (docs/api-v3.md §5.1).
  public func test() -> JSONValue { ServerStatus(timestamp: Timestamp.now()).json }

  /// ``ServerVersion`` of this server (docs/api-v3.md §5.2).
  public func version() -> JSONValue { ServerVersion(version: Self.serverVersion).json }

  /// The effective configuration, without top-level keys starting with `_`.
  public func config() -> JSONValue {
    guard case .object(let pairs) = ServerConfiguration.redacted(configuration.tree) else { return configuration.tree }
    return .object(pairs.filter { !$0.0.hasPrefix("_") })
  }
}
