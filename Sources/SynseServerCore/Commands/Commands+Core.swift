extension Commands {
  public func test() -> JSONValue {
    .object([("status", .string("ok")), ("timestamp", .string(Self.now()))])
  }

  public func version() -> JSONValue {
    .object([("version", .string(Self.serverVersion)), ("api_version", .string("v3"))])
  }

  /// The effective configuration, without top-level keys starting with `_`.
  public func config() -> JSONValue {
    guard case .object(let pairs) = ServerConfiguration.redacted(configuration.tree) else { return configuration.tree }
    return .object(pairs.filter { !$0.0.hasPrefix("_") })
  }
}
