public import Logging
import Systemd

/// Process-wide logging for a plugin executable: structured journal entries when systemd
/// connected stderr to the journal, plain stderr lines otherwise.
public enum PluginLogging {
  public static func bootstrap(identifier: String, debug: Bool) {
    let toJournal = JournalLogHandler.stderrIsJournal()
    LoggingSystem.bootstrap { label in
      if toJournal {
        var handler = JournalLogHandler(label: label, identifier: identifier)
        handler.logLevel = debug ? .debug : .info
        return handler
      }
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = debug ? .debug : .info
      return handler
    }
  }
}
