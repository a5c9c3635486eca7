
/// The `webhooks` key: a list of ``WebhookDestination``s (docs/health.md "Webhooks"), from the
/// file as a YAML list of mappings, or from `SYNSE_WEBHOOKS` as JSON (or YAML flow) text:
/// `SYNSE_WEBHOOKS='[{"url": "http://hooks:8080/synse", "types": "alarm.raised"}]'`.
public struct WebhookDestinations: Sendable, Equatable {
  public var destinations: [WebhookDestination] = []

  public init(_ destinations: [WebhookDestination] = []) { self.destinations = destinations }

  /// Every entry parsed, then names checked for uniqueness (each names its metrics series).
  ///
  /// - Throws: ``WebhookConfigError`` naming the first bad key.
  static func parse(_ json: JSONValue) throws(WebhookConfigError) -> WebhookDestinations {
    guard case .array(let entries) = json else {
      throw WebhookConfigError(key: "webhooks", message: "must be a list of destinations (mappings with at least 'url')")
    }
    var result: [WebhookDestination] = []
    for (index, entry) in entries.enumerated() {
      let destination = try WebhookDestination.parse(entry, index: index)
      if let other = result.firstIndex(where: { $0.name == destination.name }) {
        throw WebhookConfigError(
          key: "webhooks[\(index)].name", message: "'\(destination.name)' is also the name of webhooks[\(other)] (give each destination its own 'name')")
      }
      result.append(destination)
    }
    return WebhookDestinations(result)
  }
}

extension WebhookDestinations: ParsedConfigurationValue {
  static func parse(configuration json: JSONValue) throws(WebhookConfigError) -> WebhookDestinations { try parse(json) }
  static var variable: String { "SYNSE_WEBHOOKS" }
  static var expected: String { "a list of destinations (JSON in the variable: [{\"url\": \"http://…\"}])" }
  static var secretFields: [String] { ["secret", "headers"] }
}
