/// The Go SDK's command-line flags.
///
/// The executable parses them (ArgumentParser) and passes them to ``Plugin/run(flags:loader:logger:)``.
public struct PluginFlags: Sendable {
  /// `--debug`: debug logging; the executable applies it when bootstrapping logging.
  public var debug = false
  /// `--version`: print the version summary and exit.
  public var version = false
  /// `--dry-run`: load the configs and build the devices, then exit, to check a deployment.
  public var dryRun = false

  /// Creates flags; all off by default.
  public init(debug: Bool = false, version: Bool = false, dryRun: Bool = false) {
    self.debug = debug
    self.version = version
    self.dryRun = dryRun
  }
}
