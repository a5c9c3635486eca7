import Foundation

/// One webhook subscription of the `webhooks` configuration key (docs/health.md "Webhooks"):
/// where matching events are POSTed, signed and retried. Named after DMTF Redfish's
/// `EventDestination`: `url` is its `Destination`, `types` its `EventTypes`, `context` its
/// `Context`, `headers` its `HttpHeaders`; delivery is its `DeliveryRetryPolicy`
/// `RetryForeverWithBackoff`, bounded by ``queueSize``.
///
/// Built by ``parse(_:index:)`` from one entry of the list, which refuses anything unclear
/// (unknown fields, event types or severities, a URL that is not http(s)) naming the key.
public struct WebhookDestination: Sendable, Equatable {
  /// `http` or `https`, with a host; no user info (see ``parse(_:index:)``). Kept as the
  /// text given: it is only ever handed to AsyncHTTPClient, which parses it itself.
  public var url: String
  /// The `destination` label of the webhook metrics and the name in logs: `name`, or the URL
  /// without its query (see ``label(of:)``).
  public var name: String
  /// Which events go out: `types`, `severity`, `tags` (groups, as `/v3/events`), `plugin`.
  public var filter: EventFilter
  /// The HMAC-SHA256 key of the `X-Synse-Signature` header; nil: bodies are not signed.
  public var secret: String?
  /// Sent as `X-Synse-Context` (Redfish `Context`: an opaque string the receiver chose).
  public var context: String?
  /// Extra request headers (`Authorization: Bearer …`); redacted in `/v3/config`.
  public var headers: [(String, String)]
  /// Events waiting at most (the one being retried included); older ones are dropped beyond it.
  public var queueSize: Int
  /// The wait before the first retry, doubling up to `retryMax`.
  public var retry: WebhookBackoff
  /// One attempt's limit, connection included.
  public var timeout: Duration

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.url == rhs.url && lhs.name == rhs.name && lhs.filter == rhs.filter && lhs.secret == rhs.secret && lhs.context == rhs.context
      && lhs.headers.elementsEqual(rhs.headers, by: ==) && lhs.queueSize == rhs.queueSize && lhs.retry == rhs.retry && lhs.timeout == rhs.timeout
  }

  /// The fields an entry may have, in the README's order.
  static let fields = ["url", "name", "types", "severity", "tags", "plugin", "secret", "context", "headers", "queue_size", "retry_initial", "retry_max", "timeout"]

  /// The metrics label for a URL: scheme, host, port and path, never user info or query (a
  /// token in `?key=` must not reach Prometheus).
  static func label(of url: URLComponents) -> String {
    var components = URLComponents()
    components.scheme = url.scheme
    components.host = url.host
    components.port = url.port
    components.path = url.path
    return components.string ?? url.string ?? ""
  }
}

extension WebhookDestination: CustomStringConvertible {
  /// Names the destination without its secret or headers (service descriptions in logs).
  public var description: String { "WebhookDestination(\(name), secret: \(secret == nil ? "nil" : ServerConfiguration.redactedValue))" }
}

/// A `webhooks` entry that cannot be used: `key` is its path (`webhooks[1].types`, counted
/// from 0 as in jq), `message` what is wrong, never a secret's value.
public struct WebhookConfigError: Error, Sendable, Equatable, CustomStringConvertible {
  public var key: String
  public var message: String
  public var description: String { "'\(key)' \(message)" }
}
