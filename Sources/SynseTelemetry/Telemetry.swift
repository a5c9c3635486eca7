import Foundation
public import CoreMetrics
public import Logging
import OTel
public import ServiceLifecycle
import Synchronization
import W3CTraceContext
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
    OTelEnvironment.unsetEmptyVariables()
    let environment = (environment ?? ProcessInfo.processInfo.environment).filter { !($0.key.hasPrefix("OTEL_") && $0.value.isEmpty) }
    let problems = OTelEnvironment.problems(environment)
    guard problems.isEmpty else { throw TelemetryError(problems: problems) }
    let milliseconds = environment["OTEL_METRIC_EXPORT_INTERVAL"].flatMap { Int($0) }
    metricExportInterval = milliseconds.map { .milliseconds(max($0, 100)) } ?? .seconds(60)
    let failures = ExportFailures()
    self.failures = failures
    guard !OTelEnvironment.isDisabled(environment) else {
      // OTEL_SDK_DISABLED=true: every signal off, as the specification says, whatever the config.
      tracer = NoOpTracer()
      metrics = NOOPMetricsHandler.instance
      logHandler = { _ in SwiftLogNoOpLogHandler() }
      services = []
      return
    }
    var configuration = OTel.Configuration.default
    configuration.serviceName = serviceName
    // OTEL_RESOURCE_ATTRIBUTES wins on a clash (swift-otel would keep ours).
    let fromEnvironment = OTelEnvironment.resourceAttributeKeys(environment)
    configuration.resourceAttributes = attributes.filter { !fromEnvironment.contains($0.key) }
    if configuration.resourceAttributes["host.name"] == nil && !fromEnvironment.contains("host.name") {
      configuration.resourceAttributes["host.name"] = ProcessInfo.processInfo.hostName
    }
    // Its own diagnostics go to stderr, never back into the exported logs, and are counted.
    configuration.diagnosticLogger = .custom(Logger(label: "otel") { label in DiagnosticHandler(label: label, failures: failures) })
    // The sampler decides in front of swift-otel (SamplingTracer), which records what it is
    // given; each backend reads the whole environment, so none may see the sampler variables.
    configuration.traces.sampler = .alwaysOn
    let (metricsFactory, metricsService, tracer, tracingService, logHandler, loggingService) = try OTelEnvironment.withoutSampler {
      let (metricsFactory, metricsService) = try OTel.makeMetricsBackend(configuration: configuration)
      let (tracer, tracingService) = try OTel.makeTracingBackend(configuration: configuration)
      let (logHandler, loggingService) = try OTel.makeLoggingBackend(configuration: configuration)
      return (metricsFactory, metricsService, tracer, tracingService, logHandler, loggingService)
    }
    // What swift-otel still could not use (OTEL_EXPORTER_OTLP_HEADERS, say) stops startup too:
    // an operator who set a variable expects it to count, not a warning and a default.
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
    let propagators = environment["OTEL_PROPAGATORS"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    self.tracer = SamplingTracer(
      base: tracer, sampling: TraceSampling(sampler: environment["OTEL_TRACES_SAMPLER"], argument: environment["OTEL_TRACES_SAMPLER_ARG"]),
      propagates: propagators?.contains("tracecontext") ?? true)
    metrics = metricsFactory
    self.logHandler = logHandler
    services = [BoundedFlush(services: [metricsService, tracingService, loggingService], limit: .seconds(3))]
  }

  /// Makes ``tracer`` the process's tracer (`InstrumentationSystem`), for Hummingbird's
  /// tracing middleware and the gRPC interceptors. Once per process.
  public func bootstrapTracing() {
    // An embedded plugin with telemetry on shares the server's process, and its tracer.
    guard Self.tracingBootstrapped.withLock({ done in defer { done = true }; return !done }) else { return }
    InstrumentationSystem.bootstrap(tracer)
  }

  private static let tracingBootstrapped = Mutex(false)

  /// Trace and span IDs (`trace_id`, `span_id`, `trace_flags`) in the metadata of every log
  /// line written inside a span, or inside a trace that is not sampled (flags `0`).
  public static var metadataProvider: Logger.MetadataProvider {
    let recorded = OTel.makeLoggingMetadataProvider()
    return Logger.MetadataProvider {
      let metadata = recorded.get()
      guard metadata.isEmpty, let unsampled = ServiceContext.current?[UnsampledTraceKey.self] else { return metadata }
      return ["trace_id": "\(unsampled.traceID)", "span_id": "\(unsampled.spanID)", "trace_flags": "0"]
    }
  }
}

/// `OTEL_*` variables that cannot be used, each with the values it takes.
public struct TelemetryError: Error, CustomStringConvertible {
  public let problems: [String]
  public var description: String { problems.joined(separator: "; ") }
}

/// swift-otel's services as one whose graceful shutdown (the last flush of every signal) takes
/// at most `limit`: with the receiver down, its exporters retry with back-off for longer than
/// an operator waits for a stop. What is still unsent then is dropped.
struct BoundedFlush: Service {
  let services: [any Service]
  let limit: Duration

  func run() async throws {
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(
      services: services.map { .init(service: $0) }, logger: Logger(label: "otel", factory: { _ in SwiftLogNoOpLogHandler() })))
    let (ends, end) = AsyncStream<Result<Void, any Error>>.makeStream()
    // Not a child task: a flush that ignores cancellation must not hold up the process's exit.
    let running = Task {
      do {
        try await group.run()
        end.yield(.success(()))
      } catch {
        end.yield(.failure(error))
      }
    }
    try await withGracefulShutdownHandler {
      for await result in ends { return try result.get() }
    } onGracefulShutdown: {
      Task {
        await group.triggerGracefulShutdown()
        try? await Task.sleep(for: limit)
        running.cancel()
        end.yield(.success(()))
      }
    }
  }
}
