import SynseProtocol

/// Build and version information (`V3Version`); unset build values read `-`, as in Go.
public struct PluginVersion: Sendable, Equatable {
  /// The SDK version reported in `sdkVersion`.
  public static let sdkVersion = "0.1.0-swift"

  /// The plugin's own version (`1.0.0`); shown by `--version` and Synse Server.
  public var pluginVersion: String
  /// Build time as the build script writes it; `-` when unknown.
  public var buildDate: String
  /// Commit the plugin was built from; `-` when unknown.
  public var gitCommit: String
  /// Tag the plugin was built from; `-` when unknown.
  public var gitTag: String

  /// Creates version info; pass build values from the build, not literals, or leave `-`.
  public init(pluginVersion: String, buildDate: String = "-", gitCommit: String = "-", gitTag: String = "-") {
    self.pluginVersion = pluginVersion
    self.buildDate = buildDate
    self.gitCommit = gitCommit
    self.gitTag = gitTag
  }

  /// Go's `GOARCH` name for this machine.
  static var arch: String {
    #if arch(x86_64)
      return "amd64"
    #elseif arch(arm64)
      return "arm64"
    #elseif arch(i386)
      return "386"
    #elseif arch(arm)
      return "arm"
    #else
      return "unknown"
    #endif
  }

  /// Go's `GOOS` name for this system.
  static var os: String {
    #if os(Linux)
      return "linux"
    #elseif os(macOS)
      return "darwin"
    #else
      return "unknown"
    #endif
  }

  var message: Synse_V3Version {
    var message = Synse_V3Version()
    message.pluginVersion = pluginVersion
    message.sdkVersion = Self.sdkVersion
    message.buildDate = buildDate
    message.gitCommit = gitCommit
    message.gitTag = gitTag
    message.arch = Self.arch
    message.os = Self.os
    return message
  }

  /// The text `--version` prints.
  public var summary: String {
    """
    Version:     \(pluginVersion)
    SDK Version: \(Self.sdkVersion)
    Git Commit:  \(gitCommit)
    Git Tag:     \(gitTag)
    Build Date:  \(buildDate)
    Go Version:  -
    OS/Arch:     \(Self.os)/\(Self.arch)
    """
  }
}
