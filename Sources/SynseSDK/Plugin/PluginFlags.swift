/// The Go SDK's command-line flags.
public struct PluginFlags: Sendable {
  public var debug = false
  public var version = false
  public var dryRun = false

  public init(debug: Bool = false, version: Bool = false, dryRun: Bool = false) {
    self.debug = debug
    self.version = version
    self.dryRun = dryRun
  }
}
