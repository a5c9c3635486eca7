import Foundation
import Prometheus
import ProcessMetrics

/// The `/metrics` body: the registry's families with a `# HELP` line each (swift-metrics
/// backends carry none); ``Commands/metricsExposition(_:)`` adds process metrics and readings.
public enum MetricsExposition {
  static let help: [String: String] = [
    "synse_http_request_count_total": "HTTP requests handled, by route and status.",
    "synse_http_request_latency_sec": "Seconds from receiving an HTTP request to sending its response.",
    "synse_http_response_bytes_total": "HTTP response body bytes sent (streamed responses excluded).",
    "synse_websocket_request_count_total": "WebSocket request messages handled.",
    "synse_websocket_request_latency_sec": "Seconds to handle one WebSocket request.",
    "synse_websocket_request_bytes_total": "Size of received WebSocket request messages.",
    "synse_websocket_response_bytes_total": "Size of sent WebSocket messages, streamed readings included.",
    "synse_websocket_error_response_count_total": "WebSocket error messages sent.",
    "synse_websocket_session_count": "Open WebSocket sessions per client address.",
    "synse_grpc_message_sent_total": "RPCs issued to plugins.",
    "synse_grpc_message_received_total": "Messages received from plugins (one per unary call, one per streamed message).",
    "synse_grpc_request_latency_sec": "Seconds for a plugin RPC to return (to open the stream, for streaming RPCs).",
    "synse_plugin_active_state": "1 while the plugin is active, 0 while it is unreachable.",
    "synse_plugin_connect_count_total": "Plugin transitions to active (registration and reconnections).",
    "synse_plugin_disconnect_count_total": "Plugin transitions to inactive.",
    "synse_plugin_disabled": "1 while the plugin is disabled (no longer configured).",
    "synse_registered_devices": "Devices in the server's device cache.",
  ]

  /// The registry's text with HELP lines added before each family's TYPE line.
  public static func render(_ metrics: ServerMetrics) -> [UInt8] {
    ProcessMetrics.addingHelp(to: metrics.registry.emitToBuffer(), help: help)
  }
}
