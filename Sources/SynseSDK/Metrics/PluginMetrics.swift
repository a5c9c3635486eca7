import CoreMetrics
import Foundation
import GRPCCore
import Prometheus
import ProcessMetrics
import SynseProtocol

/// Plugin-side metrics (`metrics.enabled` / `PLUGIN_METRICS_ENABLED`, off by default), served
/// in the Prometheus text format on `metrics.address` (`:2112` like the Go SDK) at `/metrics`:
/// RPCs served by method and status, read pass duration, devices, open read streams, write
/// transactions by final status, and the process metrics.
final class PluginMetrics: Sendable {
  let registry = PrometheusCollectorRegistry()
  let factory: PrometheusMetricsFactory

  init() {
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.defaultDurationHistogramBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map { .nanoseconds(Int64($0 * 1e9)) }
    self.factory = factory
    // Every family exists from the first scrape, its known series at 0, so `rate()` and
    // `absent()` alerts work before the first RPC, pass or write.
    for method in Synse_V3Plugin.Method.descriptors.map(\.method) {
      _ = Counter(label: "synse_plugin_grpc_requests_total", dimensions: [("method", method), ("code", "OK")], factory: factory)
      _ = Timer(label: "synse_plugin_grpc_request_seconds", dimensions: [("method", method)], factory: factory)
    }
    _ = Timer(label: "synse_plugin_read_pass_seconds", factory: factory)
    devices(0)
    openReadStreams(0)
    for status in ["DONE", "ERROR"] {
      _ = Counter(label: "synse_plugin_write_transactions_total", dimensions: [("status", status)], factory: factory)
    }
  }

  func rpc(method: String, code: String, latency: Duration) {
    let labels = [("method", method), ("code", code)]
    Counter(label: "synse_plugin_grpc_requests_total", dimensions: labels, factory: factory).increment()
    Timer(label: "synse_plugin_grpc_request_seconds", dimensions: [("method", method)], factory: factory)
      .recordNanoseconds(latency.components.seconds * 1_000_000_000 + latency.components.attoseconds / 1_000_000_000)
  }

  func readPass(_ duration: Duration) {
    Timer(label: "synse_plugin_read_pass_seconds", factory: factory)
      .recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
  }

  func devices(_ count: Int) { Gauge(label: "synse_plugin_devices", factory: factory).record(count) }
  func openReadStreams(_ count: Int) { Gauge(label: "synse_plugin_read_streams", factory: factory).record(count) }

  func transactionFinished(_ status: String) {
    Counter(label: "synse_plugin_write_transactions_total", dimensions: [("status", status)], factory: factory).increment()
  }

  static let help = [
    "synse_plugin_grpc_requests_total": "RPCs served, by method and final status code.",
    "synse_plugin_grpc_request_seconds": "Seconds to serve one RPC (streams: until the stream ended).",
    "synse_plugin_read_pass_seconds": "Seconds one read pass over every readable device took.",
    "synse_plugin_devices": "Devices the plugin manages.",
    "synse_plugin_read_streams": "ReadStream calls in progress.",
    "synse_plugin_write_transactions_total": "Write transactions that reached a final status, by status.",
  ]

  func exposition() -> [UInt8] {
    ProcessMetrics.addingHelp(to: registry.emitToBuffer(), help: Self.help) + Array(ProcessMetrics.exposition().utf8)
  }
}

/// Counts every RPC the plugin serves, with its status (`OK` or the error's code) and the
/// time until its handler returned (for streams: the whole stream).
struct PluginMetricsInterceptor: ServerInterceptor {
  let metrics: PluginMetrics

  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let method = context.descriptor.method
    let start = ContinuousClock.now
    let metrics = self.metrics
    do {
      var response = try await next(request, context)
      guard case .success(var contents) = response.accepted else {
        metrics.rpc(method: method, code: Self.code(response.accepted), latency: ContinuousClock.now - start)
        return response
      }
      let producer = contents.producer
      contents.producer = { writer in
        do {
          let trailers = try await producer(writer)
          metrics.rpc(method: method, code: "OK", latency: ContinuousClock.now - start)
          return trailers
        } catch {
          metrics.rpc(method: method, code: (error as? RPCError).map { "\($0.code)" } ?? "unknown", latency: ContinuousClock.now - start)
          throw error
        }
      }
      response.accepted = .success(contents)
      return response
    } catch {
      metrics.rpc(method: method, code: (error as? RPCError).map { "\($0.code)" } ?? "unknown", latency: ContinuousClock.now - start)
      throw error
    }
  }

  private static func code<T>(_ result: Result<T, RPCError>) -> String {
    if case .failure(let error) = result { return "\(error.code)" }
    return "OK"
  }
}
