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
      var remote = also?(label)
      remote?.logLevel = level
      return MetadataKeepingLogHandler(local: local, remote: remote)
    }, metadataProvider: metadataProvider)
  }
}

/// One logger's destinations (stderr or the journal, and OTLP's when exporting). Unlike
/// swift-log's `MultiplexLogHandler`, and unlike `StreamLogHandler` alone, it keeps the
/// logger's metadata itself and hands it over with each line: servers set metadata per request
/// (Hummingbird's request ID), and `StreamLogHandler` re-renders its metadata text on every
/// set, a cost paid per request (3 % of `/v3/read`'s CPU) for lines mostly never written.
///
/// Three words (its destinations behind one reference, the metadata, the level), so a logger
/// holds it inline: a per-request metadata set copied a larger handler into a new box.
struct MetadataKeepingLogHandler: LogHandler {
  private final class Destinations: Sendable {
    let local: any LogHandler
    let remote: (any LogHandler)?

    init(local: any LogHandler, remote: (any LogHandler)?) {
      self.local = local
      self.remote = remote
    }
  }

  private let destinations: Destinations
  var metadata: Logger.Metadata = [:]
  /// Its own: the logger checks it before a line reaches any destination.
  var logLevel: Logger.Level

  init(local: any LogHandler, remote: (any LogHandler)?) {
    destinations = Destinations(local: local, remote: remote)
    logLevel = local.logLevel
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var event = event
    if !metadata.isEmpty { event.metadata = metadata.merging(event.metadata ?? [:]) { $1 } }
    destinations.local.log(event: event)
    destinations.remote?.log(event: event)
  }
}
