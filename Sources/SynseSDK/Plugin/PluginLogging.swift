import Logging
import Systemd

/// Process-wide logging for a plugin executable: the journal when systemd connected stderr
/// to it, stderr otherwise (``Systemd/LoggingBootstrap``); `debug` picks `.debug` over `.info`.
public enum PluginLogging {
  public static func bootstrap(identifier: String, debug: Bool) {
    LoggingBootstrap.bootstrap(identifier: identifier, level: debug ? .debug : .info)
  }
}
