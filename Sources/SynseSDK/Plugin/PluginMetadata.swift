/// Static identity of a plugin (`V3Metadata`).
///
/// `name` and `maintainer` make the plugin ``tag`` and so, by default, every ID: renaming a
/// plugin changes its devices' IDs.
public struct PluginMetadata: Sendable, Equatable {
  /// Human name (`emulator plugin`).
  public var name: String
  /// Who maintains it (`vaporio`).
  public var maintainer: String
  /// One line for people.
  public var description: String
  /// Source repository URL.
  public var vcs: String

  /// Creates metadata.
  public init(name: String, maintainer: String, description: String = "", vcs: String = "") {
    self.name = name
    self.maintainer = maintainer
    self.description = description
    self.vcs = vcs
  }

  /// `maintainer/name` normalised as in docs/plugin-protocol.md §2.1.
  public var tag: String { DeviceIdentifier.pluginTag(name: name, maintainer: maintainer) }
}
