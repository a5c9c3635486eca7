import Foundation
public import CoreMetrics
public import Logging
import OTel
public import ServiceLifecycle
import Synchronization
public import Tracing

/// OpenTelemetry for one process, the server or a plugin: OTLP metrics, traces and logs from
/// swift-otel, configured by the standard variables (OpenTelemetry "SDK environment variables":
/// `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL` `grpc` or `http/protobuf`,
/// `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_METRIC_EXPORT_INTERVAL`,
/// `OTEL_TRACES_SAMPLER` and the rest, which swift-otel reads).
///
/// ```swift
/// let telemetry = try Telemetry(serviceName: "synse-server", attributes: ["site": "dc1"])
/// LoggingBootstrap.bootstrap(identifier: "synse-server", level: .info, telemetry: telemetry)
/// telemetry.bootstrapTracing()
/// // run telemetry.services with the process's other services
/// ```
///
/// Exports run in the background: a receiver that is down costs retries and dropped batches
/// (counted in ``failures``), never a wait on the caller.
public struct Telemetry: Sendable {
  public let tracer: any Tracer
  /// OTLP instruments (`unit` and `description` dimensions become the instrument's).
  public let metrics: any MetricsFactory
  public let logHandler: @Sendable (String) -> any LogHandler
  /// The exporters' and processors' background work: run them, or nothing is sent.
  public let services: [any Service]
  public let failures: ExportFailures
  /// How often metrics are exported (`OTEL_METRIC_EXPORT_INTERVAL`, ms; 60 s by default), so
  /// that values sampled for export are sampled that often.
  public let metricExportInterval: Duration

  /// - Parameters:
  ///   - serviceName: `service.name` unless `OTEL_SERVICE_NAME` is set.
  ///   - attributes: resource attributes (`site`, `rack`, …); `OTEL_RESOURCE_ATTRIBUTES` adds
  ///     to them and wins on a clash. `host.name` is the host's name unless given.
  /// - Throws: ``TelemetryError`` naming every `OTEL_*` variable that cannot be used (an
  ///   unknown protocol or sampler), or swift-otel's own configuration error.
  public init(serviceName: String, attributes: [String: String], environment: [String: String]? = nil) throws {
    let environment = environment ?? ProcessInfo.processInfo.environment
    let failures = ExportFailures()
    var configuration = OTel.Configuration.default
    configuration.serviceName = serviceName
    configuration.resourceAttributes = attributes
    if configuration.resourceAttributes["host.name"] == nil {
      configuration.resourceAttributes["host.name"] = ProcessInfo.processInfo.hostName
    }
    // Its own diagnostics go to stderr, never back into the exported logs, and are counted.
    configuration.diagnosticLogger = .custom(Logger(label: "otel") { label in DiagnosticHandler(label: label, failures: failures) })
    let (metricsFactory, metricsService) = try OTel.makeMetricsBackend(configuration: configuration)
    let (tracer, tracingService) = try OTel.makeTracingBackend(configuration: configuration)
    let (logHandler, loggingService) = try OTel.makeLoggingBackend(configuration: configuration)
    self.tracer = tracer
    metrics = metricsFactory
    self.logHandler = logHandler
    services = [metricsService, tracingService, loggingService]
    self.failures = failures
    // swift-otel keeps its default for a variable it cannot use; an operator who set one
    // expects it to count, so that stops startup instead.
    var unusable: [String: String] = [:]
    for (key, problem) in failures.unusable.withLock({ $0 }) {
      // swift-otel reads OTEL_EXPORTER_OTLP_PROTOCOL as each signal's: name the one that was set.
      var named = key
      if environment[key] == nil {
        for signal in ["_TRACES", "_METRICS", "_LOGS"] where key.contains(signal) {
          named = key.replacingOccurrences(of: signal, with: "")
        }
      }
      unusable[named] = problem.replacingOccurrences(of: key, with: named)
    }
    guard unusable.isEmpty else { throw TelemetryError(problems: unusable.keys.sorted().map { unusable[$0]! }) }
    let milliseconds = environment["OTEL_METRIC_EXPORT_INTERVAL"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    metricExportInterval = milliseconds.map { .milliseconds(max($0, 100)) } ?? .seconds(60)
  }

  /// Makes ``tracer`` the process's tracer (`InstrumentationSystem`), for Hummingbird's
  /// tracing middleware and the gRPC interceptors. Once per process.
  public func bootstrapTracing() {
    // An embedded plugin with telemetry on shares the server's process, and its tracer.
    guard Self.tracingBootstrapped.withLock({ done in defer { done = true }; return !done }) else { return }
    InstrumentationSystem.bootstrap(tracer)
  }

  private static let tracingBootstrapped = Mutex(false)

  /// Trace and span IDs (`trace_id`, `span_id`) in the metadata of every log line written
  /// inside a span.
  public static var metadataProvider: Logger.MetadataProvider { OTel.makeLoggingMetadataProvider() }

  /// Whether `text` (a variable's value such as `PLUGIN_OTEL_ENABLED`) turns telemetry on.
  public static func isOn(_ text: String?) -> Bool {
    ["1", "true", "yes", "on"].contains(text?.lowercased() ?? "")
  }
}

/// `OTEL_*` variables that cannot be used, each with the values it takes.
public struct TelemetryError: Error, CustomStringConvertible {
  public let problems: [String]
  public var description: String { problems.joined(separator: "; ") }
}
