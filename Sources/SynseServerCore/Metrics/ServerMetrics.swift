public import CoreMetrics
import Foundation
public import Prometheus
public import SynseTelemetry
import Synchronization

/// The `synse_*` metrics of docs/api-v3.md §10, recorded through swift-metrics into a Prometheus
/// registry (and any other backend given, such as StatsD). Exists only when metrics are
/// enabled: callers hold an optional, so a disabled server records nothing at all.
public final class ServerMetrics: Sendable {
  public let registry: PrometheusCollectorRegistry
  let factory: any MetricsFactory
  let ipLabel: Bool
  /// Handles per label set, so that a request costs one dictionary lookup instead of a
  /// registry lookup per metric (each sanitizes and hashes the labels under the registry's
  /// lock). They grow with the registry's own series and no further.
  private let httpSeries = Mutex<[HTTPSeries: HTTPHandles]>([:])
  private let grpcSeries = Mutex<[GRPCSeries: GRPCHandles]>([:])

  /// The spec's histogram buckets, in seconds.
  static let buckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0].map {
    .nanoseconds(Int64($0 * 1e9))
  }

  /// OTLP export failures and drops (`otel.enabled`), rendered on `/metrics`.
  public let exportFailures: ExportFailures?

  public init(ipLabel: Bool, additionalFactories: [any MetricsFactory] = [], exportFailures: ExportFailures? = nil) {
    self.exportFailures = exportFailures
    registry = PrometheusCollectorRegistry()
    var prometheus = PrometheusMetricsFactory(registry: registry)
    prometheus.defaultDurationHistogramBuckets = Self.buckets
    factory = additionalFactories.isEmpty ? prometheus : MultiplexMetricsHandler(factories: [prometheus] + additionalFactories)
    self.ipLabel = ipLabel
    // The one unlabelled family has a true value before the first scan: no devices cached.
    registeredDevices(0)
    alarmTransitionsAtZero()
  }

  // MARK: HTTP

  /// One response of a matched route (not `/metrics`, not 405s); `bytes` nil for streams.
  /// `route` is the router's pattern, as in `/v3/read/{device_id}`.
  public func httpResponse(method: String, route: String, endpoint: String, status: Int, ip: String?, latency: Duration, bytes: Int?) {
    let series = HTTPSeries(method: method, route: route, endpoint: endpoint, status: status, ip: ipLabel ? ip ?? "" : nil)
    let handles = httpSeries.withLock { cache in
      if let handles = cache[series] { return handles }
      let handles = HTTPHandles(series, factory: factory)
      cache[series] = handles
      return handles
    }
    handles.count.increment()
    handles.latency.recordNanoseconds(latency.nanoseconds)
    if let bytes { handles.bytes.increment(by: bytes) }
  }

  /// `/v3/read/{device_id}` → `/v3/read/<device_id:str>`, the original's route notation.
  static func sanicTemplate(_ route: String) -> String {
    route.split(separator: "/", omittingEmptySubsequences: false).map { segment in
      segment.hasPrefix("{") && segment.hasSuffix("}") ? "<\(segment.dropFirst().dropLast()):str>" : String(segment)
    }.joined(separator: "/")
  }

  // MARK: WebSocket

  /// The `event` label of requests whose event name the server does not know: client-chosen
  /// names would grow the label set without bound, so they all count under this one value.
  public static let unknownEvent = "unknown"

  /// One dispatched request message, `bytes` long, answered after `latency`. `event` must be
  /// a request event the server handles, or ``unknownEvent``.
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

  /// The handles of one plugin call's series, looked up once per call (a `Read` of 1,000
  /// devices streams 1,000 messages).
  func grpcHandles(streaming: Bool, method: String, plugin: String) -> GRPCHandles {
    let series = GRPCSeries(streaming: streaming, method: method, plugin: plugin)
    return grpcSeries.withLock { cache in
      if let handles = cache[series] { return handles }
      let handles = GRPCHandles(series, factory: factory)
      cache[series] = handles
      return handles
    }
  }

  // MARK: Plugins and devices

  /// A plugin's transition to active (registration, reconnection) or inactive. Both counters
  /// of the plugin exist from its first transition, the other one at 0, so that `rate()` and
  /// `absent()` over `synse_plugin_disconnect_count_total` work before any disconnect.
  func pluginActive(_ plugin: String, _ active: Bool) {
    Gauge(label: "synse_plugin_active_state", dimensions: [("plugin", plugin)], factory: factory).record(active ? 1 : 0)
    let connects = Counter(label: "synse_plugin_connect_count_total", dimensions: [("plugin", plugin)], factory: factory)
    let disconnects = Counter(label: "synse_plugin_disconnect_count_total", dimensions: [("plugin", plugin)], factory: factory)
    (active ? connects : disconnects).increment()
  }

  func pluginDisabled(_ plugin: String, _ disabled: Bool) {
    Gauge(label: "synse_plugin_disabled", dimensions: [("plugin", plugin)], factory: factory).record(disabled ? 1 : 0)
  }

  /// A plugin replaced by another at its address: a disconnect if it was still active, and
  /// its gauges are removed, so an alert on `synse_plugin_active_state == 0` does not fire for
  /// ever after an upgrade. Its counters stay (they only stop growing).
  func pluginRetired(_ plugin: String, wasActive: Bool) {
    if wasActive { Counter(label: "synse_plugin_disconnect_count_total", dimensions: [("plugin", plugin)], factory: factory).increment() }
    Gauge(label: "synse_plugin_active_state", dimensions: [("plugin", plugin)], factory: factory).destroy()
    Gauge(label: "synse_plugin_disabled", dimensions: [("plugin", plugin)], factory: factory).destroy()
  }

  func registeredDevices(_ count: Int) {
    Gauge(label: "synse_registered_devices", factory: factory).record(count)
  }
}

private struct HTTPSeries: Hashable {
  let method: String
  let route: String
  let endpoint: String
  let status: Int
  let ip: String?
}

private final class HTTPHandles: Sendable {
  let count: CoreMetrics.Counter
  let latency: CoreMetrics.Timer
  let bytes: CoreMetrics.Counter

  init(_ series: HTTPSeries, factory: any MetricsFactory) {
    var labels = [
      ("method", series.method), ("template", ServerMetrics.sanicTemplate(series.route)), ("endpoint", series.endpoint),
      ("http_code", String(series.status)),
    ]
    if let ip = series.ip { labels.append(("ip", ip)) }
    count = CoreMetrics.Counter(label: "synse_http_request_count_total", dimensions: labels, factory: factory)
    latency = CoreMetrics.Timer(label: "synse_http_request_latency_sec", dimensions: labels, factory: factory)
    bytes = CoreMetrics.Counter(label: "synse_http_response_bytes_total", dimensions: labels, factory: factory)
  }
}

struct GRPCSeries: Hashable {
  let streaming: Bool
  let method: String
  let plugin: String
}

final class GRPCHandles: Sendable {
  let sent: CoreMetrics.Counter
  let latency: CoreMetrics.Timer
  let received: CoreMetrics.Counter

  init(_ series: GRPCSeries, factory: any MetricsFactory) {
    let labels = [
      ("type", series.streaming ? "server_streaming" : "unary"), ("service", "synse.V3Plugin"), ("method", series.method),
      ("plugin", series.plugin),
    ]
    sent = CoreMetrics.Counter(label: "synse_grpc_message_sent_total", dimensions: labels, factory: factory)
    latency = CoreMetrics.Timer(label: "synse_grpc_request_latency_sec", dimensions: labels, factory: factory)
    received = CoreMetrics.Counter(label: "synse_grpc_message_received_total", dimensions: labels, factory: factory)
  }
}

extension Duration {
  var nanoseconds: Int64 {
    components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
  }
}
