import Logging
import SynseTelemetry
import Systemd

/// Process-wide logging for a plugin executable: the journal when systemd connected stderr
/// to it, stderr otherwise (``Systemd/LoggingBootstrap``); `debug` picks `.debug` over `.info`.
public enum PluginLogging {
  public static func bootstrap(identifier: String, debug: Bool) {
    // OTLP gets the lines once the plugin's telemetry starts (otel.enabled, after the config
    // is read); trace and span IDs are on every line written inside a span.
    LoggingBootstrap.bootstrap(
      identifier: identifier, level: debug ? .debug : .info, also: DeferredLogs.handler, metadataProvider: Telemetry.metadataProvider)
  }
}
