public import Logging

/// Process-wide logging for a Synse executable (server or plugin): structured journal
/// entries (``JournalLogHandler``, `SYSLOG_IDENTIFIER=identifier`) when systemd connected
/// stderr to the journal, plain stderr lines otherwise; every handler at `level`.
///
/// Call once, first thing after reading the level, before any `Logger` is made.
public enum LoggingBootstrap {
  public static func bootstrap(identifier: String, level: Logger.Level) {
    let toJournal = JournalLogHandler.stderrIsJournal()
    LoggingSystem.bootstrap { label in
      if toJournal {
        var handler = JournalLogHandler(label: label, identifier: identifier)
        handler.logLevel = level
        return handler
      }
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
  }
}
