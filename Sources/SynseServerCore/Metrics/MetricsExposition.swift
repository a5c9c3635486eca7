import Foundation
import Prometheus
import ProcessMetrics

/// The `/metrics` body: the registry's families with a `# HELP` line each (swift-metrics
/// backends carry none); ``Commands/metricsExposition(_:)`` adds process metrics and readings.
/// Every family of ``families`` is in the body from the first scrape: one that has no series
/// yet (no WebSocket request so far, no plugin ever disconnected) still gets its `# HELP` and
/// `# TYPE` lines, so `absent()` and `rate()` queries see it exists.
public enum MetricsExposition {
  /// Every family ``ServerMetrics`` records (docs/api-v3.md §10): name, Prometheus type, HELP text.
  public static let families: [(name: String, type: String, help: String)] = [
    ("synse_http_request_count_total", "counter", "HTTP requests handled, by route and status."),
    ("synse_http_request_latency_sec", "histogram", "Seconds from receiving an HTTP request to sending its response."),
    ("synse_http_response_bytes_total", "counter", "HTTP response body bytes sent (streamed responses excluded)."),
    ("synse_websocket_request_count_total", "counter", "WebSocket request messages handled (unknown event names counted as event=\"unknown\")."),
    ("synse_websocket_request_latency_sec", "histogram", "Seconds to handle one WebSocket request."),
    ("synse_websocket_request_bytes_total", "counter", "Size of received WebSocket request messages."),
    ("synse_websocket_response_bytes_total", "counter", "Size of sent WebSocket messages, streamed readings included."),
    ("synse_websocket_error_response_count_total", "counter", "WebSocket error messages sent."),
    ("synse_websocket_session_count", "gauge", "Open WebSocket sessions per client address."),
    ("synse_grpc_message_sent_total", "counter", "RPCs issued to plugins."),
    ("synse_grpc_message_received_total", "counter", "Messages received from plugins (one per unary call, one per streamed message)."),
    ("synse_grpc_request_latency_sec", "histogram", "Seconds for a plugin RPC to return (to open the stream, for streaming RPCs)."),
    ("synse_plugin_active_state", "gauge", "1 while the plugin is active, 0 while it is unreachable."),
    ("synse_plugin_connect_count_total", "counter", "Plugin transitions to active (registration and reconnections)."),
    ("synse_plugin_disconnect_count_total", "counter", "Plugin transitions to inactive."),
    ("synse_plugin_disabled", "gauge", "1 while the plugin is disabled (no longer configured)."),
    ("synse_registered_devices", "gauge", "Devices in the server's device cache."),
    ("synse_alarm_transitions_total", "counter", "Announced sensor health changes, by event (alarm.raised, alarm.changed, alarm.cleared) and the severity they led to."),
  ]

  /// HELP texts of families that exist only with their feature configured (webhooks), so they
  /// are not listed empty on every server.
  static let configuredFamilies: [(name: String, help: String)] = [
    ("synse_webhook_deliveries_total", "Events a webhook receiver answered with a 2xx, by destination."),
    ("synse_webhook_failures_total", "Events given up because the webhook receiver refused them (3xx, or 4xx other than 408 and 429)."),
    ("synse_webhook_dropped_total", "Events dropped unsent because the webhook destination fell more than queue_size events behind."),
    ("synse_webhook_retries_total", "Webhook delivery attempts that failed and will be retried (5xx, 408, 429, timeouts, connection errors)."),
  ]

  static let help = Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0.help) } + configuredFamilies.map { ($0.name, $0.help) })

  /// The registry's text with HELP lines added before each family's TYPE line, then HELP and
  /// TYPE lines for the families that have no series yet.
  public static func render(_ metrics: ServerMetrics) -> [UInt8] {
    var body = ProcessMetrics.addingHelp(to: metrics.registry.emitToBuffer(), help: help)
    let typed = Set(String(decoding: body, as: UTF8.self).split(separator: "\n").compactMap { line in
      line.hasPrefix("# TYPE ") ? line.dropFirst(7).split(separator: " ").first.map(String.init) : nil
    })
    if body.allSatisfy({ $0 == UInt8(ascii: "\n") }) { body = [] }
    for family in families where !typed.contains(family.name) {
      body += Array("# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n".utf8)
    }
    return body
  }
}
