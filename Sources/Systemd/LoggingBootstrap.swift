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
      return MultiplexLogHandler([local, remote])
    }, metadataProvider: metadataProvider)
  }
}
