/// Static identity of a plugin (`V3Metadata`).
public struct PluginMetadata: Sendable, Equatable {
  public var name: String
  public var maintainer: String
  public var description: String
  public var vcs: String

  public init(name: String, maintainer: String, description: String = "", vcs: String = "") {
    self.name = name
    self.maintainer = maintainer
    self.description = description
    self.vcs = vcs
  }

  /// `maintainer/name` normalised as in docs/plugin-protocol.md §2.1.
  public var tag: String { DeviceIdentifier.pluginTag(name: name, maintainer: maintainer) }
}
