import Foundation
import Yams

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

extension WebhookDestinations: ConfigurationValue {
  init?(configuration json: JSONValue) {
    guard let parsed = try? Self.parse(json) else { return nil }
    self = parsed
  }

  static func problem(with json: JSONValue) -> String? {
    do throws(WebhookConfigError) {
      _ = try parse(json)
      return nil
    } catch {
      return error.description
    }
  }

  /// Never written back: the default is no key at all, and `/v3/config` shows the merged
  /// tree itself (secrets redacted).
  var configurationValue: JSONValue? { nil }

  static func environmentValue(_ raw: String) -> ConfigurationKey.EnvironmentValue {
    guard let node = try? Yams.compose(yaml: raw), let json = try? ServerConfiguration.json(from: node, file: "SYNSE_WEBHOOKS") else {
      return .invalid(expected: expected)
    }
    return .value(json)
  }

  static var expected: String { "a list of destinations (JSON in the variable: [{\"url\": \"http://…\"}])" }
  static var secretFields: [String] { ["secret", "headers"] }
}
