public import CoreMetrics
import Foundation
public import Prometheus

/// The `synse_*` metrics of api-v3.md §10, recorded through swift-metrics into a Prometheus
/// registry (and any other backend given, such as StatsD). Exists only when metrics are
/// enabled: callers hold an optional, so a disabled server records nothing at all.
public final class ServerMetrics: Sendable {
  public let registry: PrometheusCollectorRegistry
  let factory: any MetricsFactory
  let ipLabel: Bool

  /// The spec's histogram buckets, in seconds.
  static let buckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0].map {
    .nanoseconds(Int64($0 * 1e9))
  }

  public init(ipLabel: Bool, additionalFactories: [any MetricsFactory] = []) {
    registry = PrometheusCollectorRegistry()
    var prometheus = PrometheusMetricsFactory(registry: registry)
    prometheus.defaultDurationHistogramBuckets = Self.buckets
    factory = additionalFactories.isEmpty ? prometheus : MultiplexMetricsHandler(factories: [prometheus] + additionalFactories)
    self.ipLabel = ipLabel
  }

  // MARK: HTTP

  /// One response of a matched route (not `/metrics`, not 405s); `bytes` nil for streams.
  public func httpResponse(method: String, template: String, endpoint: String, status: Int, ip: String?, latency: Duration, bytes: Int?) {
    var labels = [("method", method), ("template", template), ("endpoint", endpoint), ("http_code", String(status))]
    if ipLabel { labels.append(("ip", ip ?? "")) }
    Counter(label: "synse_http_request_count_total", dimensions: labels, factory: factory).increment()
    Timer(label: "synse_http_request_latency_sec", dimensions: labels, factory: factory).recordNanoseconds(latency.nanoseconds)
    if let bytes { Counter(label: "synse_http_response_bytes_total", dimensions: labels, factory: factory).increment(by: bytes) }
  }

  // MARK: WebSocket

  /// One dispatched request message, `bytes` long, answered after `latency`.
  public func websocketRequest(event: String, bytes: Int, latency: Duration) {
    let labels = [("event", event)]
    Counter(label: "synse_websocket_request_count_total", dimensions: labels, factory: factory).increment()
    Counter(label: "synse_websocket_request_bytes_total", dimensions: labels, factory: factory).increment(by: bytes)
    Timer(label: "synse_websocket_request_latency_sec", dimensions: labels, factory: factory).recordNanoseconds(latency.nanoseconds)
  }

  /// One message sent; error events also count as errors.
  public func websocketResponse(event: String, bytes: Int) {
    Counter(label: "synse_websocket_response_bytes_total", dimensions: [("event", event)], factory: factory).increment(by: bytes)
    if event == "response/error" {
      Counter(label: "synse_websocket_error_response_count_total", dimensions: [("event", event)], factory: factory).increment()
    }
  }

  public func websocketSession(source: String, opened: Bool) {
    let meter = Meter(label: "synse_websocket_session_count", dimensions: [("source", source)], factory: factory)
    if opened { meter.increment() } else { meter.decrement() }
  }

  // MARK: gRPC

  func grpcCall(streaming: Bool, method: String, plugin: String, latency: Duration) {
    let labels = Self.grpcLabels(streaming: streaming, method: method, plugin: plugin)
    Counter(label: "synse_grpc_message_sent_total", dimensions: labels, factory: factory).increment()
    Timer(label: "synse_grpc_request_latency_sec", dimensions: labels, factory: factory).recordNanoseconds(latency.nanoseconds)
  }

  func grpcReceived(streaming: Bool, method: String, plugin: String) {
    Counter(label: "synse_grpc_message_received_total", dimensions: Self.grpcLabels(streaming: streaming, method: method, plugin: plugin), factory: factory).increment()
  }

  static func grpcLabels(streaming: Bool, method: String, plugin: String) -> [(String, String)] {
    [("type", streaming ? "server_streaming" : "unary"), ("service", "synse.V3Plugin"), ("method", method), ("plugin", plugin)]
  }

  // MARK: Plugins and devices

  func pluginActive(_ plugin: String, _ active: Bool) {
    Gauge(label: "synse_plugin_active_state", dimensions: [("plugin", plugin)], factory: factory).record(active ? 1 : 0)
    let counter = active ? "synse_plugin_connect_count_total" : "synse_plugin_disconnect_count_total"
    Counter(label: counter, dimensions: [("plugin", plugin)], factory: factory).increment()
  }

  func pluginDisabled(_ plugin: String, _ disabled: Bool) {
    Gauge(label: "synse_plugin_disabled", dimensions: [("plugin", plugin)], factory: factory).record(disabled ? 1 : 0)
  }

  func registeredDevices(_ count: Int) {
    Gauge(label: "synse_registered_devices", factory: factory).record(count)
  }
}

extension Duration {
  var nanoseconds: Int64 {
    components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
  }
}
