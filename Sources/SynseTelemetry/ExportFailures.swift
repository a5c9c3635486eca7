public import Logging
import Synchronization

/// Export failures and drops by signal (`metrics`, `traces`, `logs`), told from swift-otel's
/// diagnostic log lines ("Failed to export …", "… dropped … because queue was full"), which are
/// its only report of them. Exported as `synse_otel_export_failures_total` and
/// `synse_otel_dropped_total`.
public final class ExportFailures: Sendable {
  private let counts = Mutex<[String: (failed: Int, dropped: Int)]>([:])
  /// `OTEL_*` variables swift-otel could not use (it warns and keeps its default), by variable.
  let unusable = Mutex<[String: String]>([:])

  public init() {}

  /// `signal` → (failed exports, dropping events), every signal present from the start.
  public var snapshot: [(signal: String, failed: Int, dropped: Int)] {
    let table = counts.withLock { $0 }
    return ["logs", "metrics", "traces"].map { ($0, table[$0]?.failed ?? 0, table[$0]?.dropped ?? 0) }
  }

  func record(message: String, component: String?) {
    // swift-otel's components name their signal: OTelBatchSpanProcessor, OTLPHTTPSpanExporter,
    // OTelPeriodicExportingMetricsReader, OTelBatchLogRecordProcessor, makeTracingBackend, …
    let name = component ?? ""
    let signal: String
    if name.contains("Metric") || message.contains("metrics") {
      signal = "metrics"
    } else if name.contains("Span") || name.contains("Trac") || message.contains("Spans") {
      signal = "traces"
    } else if name.contains("Log") || message.contains("Log records") {
      signal = "logs"
    } else {
      return
    }
    let failed = message.hasPrefix("Failed to export")
    let dropped = message.contains("dropped")
    guard failed || dropped else { return }
    counts.withLock { table in
      var entry = table[signal] ?? (0, 0)
      if failed { entry.failed += 1 }
      if dropped { entry.dropped += 1 }
      table[signal] = entry
    }
  }
}

/// swift-otel's diagnostics: written to stderr like the process's other lines, and counted.
struct DiagnosticHandler: LogHandler {
  var metadata: Logger.Metadata = [:]
  var logLevel: Logger.Level = .info
  let failures: ExportFailures
  private var stream: StreamLogHandler

  init(label: String, failures: ExportFailures) {
    self.failures = failures
    stream = StreamLogHandler.standardError(label: label)
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var event = event
    event.metadata = metadata.merging(event.metadata ?? [:]) { $1 }
    // A malformed `traceparent` is the caller's to fix, and one warning per request would let
    // any client fill the log: it starts a new trace, as the W3C specification says, unlogged.
    if "\(event.message)" == "Failed to extract span context." { return }
    if event.level >= .warning { failures.record(message: "\(event.message)", component: event.metadata?["component"].map { "\($0)" }) }
    if "\(event.message)".hasPrefix("Failed to update configuration from environment"), let key = event.metadata?["environment_key"] {
      let value = event.metadata?["environment_value"].map { "'\($0)'" } ?? "its value"
      let hint = event.metadata?["hint"].map { ": \($0)" } ?? ""
      failures.unusable.withLock { $0["\(key)"] = "\(key)=\(value) cannot be used\(hint)" }
      return  // said once, in the startup error
    }
    stream.log(event: event)
  }
}

/// Log lines to OTLP from the moment a plugin's telemetry starts: logging is set up before
/// the plugin reads its configuration, which says whether to export (`otel.enabled`).
public enum DeferredLogs {
  private static let target = Mutex<(@Sendable (String) -> any LogHandler)?>(nil)

  /// Where lines go from now on.
  public static func install(_ factory: @escaping @Sendable (String) -> any LogHandler) {
    target.withLock { $0 = factory }
  }

  /// The handler to bootstrap logging with (beside the local one): drops lines until ``install(_:)``.
  public static let handler: @Sendable (String) -> any LogHandler = { label in DeferredLogHandler(label: label) }

  struct DeferredLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
      guard let factory = DeferredLogs.target.withLock({ $0 }) else { return }
      var handler = factory(label)
      handler.logLevel = logLevel
      var event = event
      event.metadata = metadata.merging(event.metadata ?? [:]) { $1 }
      handler.log(event: event)
    }
  }
}
