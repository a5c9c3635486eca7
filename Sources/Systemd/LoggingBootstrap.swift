public import Logging

/// Process-wide logging for a Synse executable (server or plugin): structured journal
/// entries (``JournalLogHandler``, `SYSLOG_IDENTIFIER=identifier`) when systemd connected
/// stderr to the journal, plain stderr lines otherwise; every handler at `level`.
///
/// `also` adds a second destination for every line (OpenTelemetry's OTLP log exporter), and
/// `metadataProvider` metadata of the moment (the current span's `trace_id` and `span_id`).
///
/// Call once, first thing after reading the level, before any `Logger` is made.
public enum LoggingBootstrap {
  public static func bootstrap(
    identifier: String, level: Logger.Level, also: (@Sendable (String) -> any LogHandler)? = nil, metadataProvider: Logger.MetadataProvider? = nil
  ) {
    let toJournal = JournalLogHandler.stderrIsJournal()
    LoggingSystem.bootstrap({ label, provider in
      var local: any LogHandler
      if toJournal {
        local = JournalLogHandler(label: label, identifier: identifier, metadataProvider: provider)
      } else {
        local = StreamLogHandler.standardError(label: label, metadataProvider: provider)
      }
      local.logLevel = level
      guard let also else { return local }
      var remote = also(label)
      remote.logLevel = level
      return PairLogHandler(local: local, remote: remote)
    }, metadataProvider: metadataProvider)
  }
}

/// Two destinations for one logger. Unlike swift-log's `MultiplexLogHandler` it keeps the
/// logger's metadata itself and hands it over with each line: servers set metadata per request
/// (Hummingbird's request ID), and `StreamLogHandler` re-renders its metadata text on every
/// set, a cost paid per request for lines mostly never written.
struct PairLogHandler: LogHandler {
  var local: any LogHandler
  var remote: any LogHandler
  var metadata: Logger.Metadata = [:]

  var logLevel: Logger.Level {
    get { local.logLevel }
    set {
      local.logLevel = newValue
      remote.logLevel = newValue
    }
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var event = event
    if !metadata.isEmpty { event.metadata = metadata.merging(event.metadata ?? [:]) { $1 } }
    local.log(event: event)
    remote.log(event: event)
  }
}
