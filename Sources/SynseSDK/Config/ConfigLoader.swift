public import Foundation

/// Finds and reads the plugin and device config files the way the Go SDK does
/// (docs/plugin-protocol.md §3.1.1 and §3.2.1).
public struct ConfigLoader: Sendable {
  /// The process environment (injected so tests need not touch the real one).
  public var environment: [String: String]
  /// The directory relative search paths start from.
  public var workingDirectory: String

  /// Where `config.yml`/`config.yaml` is looked for without `PLUGIN_CONFIG`; the first
  /// directory that has one wins.
  public static let pluginSearchPaths = [".", "./config", "/etc/synse/plugin/config"]
  /// Where device config is looked for without `PLUGIN_DEVICE_CONFIG`; every `.yml`/`.yaml`
  /// file of the first non-empty directory is loaded, in name order.
  public static let deviceSearchPaths = ["./config/device", "/etc/synse/plugin/config/device"]

  /// Defaults to the real environment and working directory.
  public init(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    workingDirectory: String = FileManager.default.currentDirectoryPath
  ) {
    self.environment = environment
    self.workingDirectory = workingDirectory
  }

  /// Loads the plugin config: the base (a plugin's built-in default, if any), then the
  /// file found by `PLUGIN_CONFIG` or the search path, then `PLUGIN_*` variables.
  public func loadPluginConfig(base: ConfigValue? = nil) throws(ConfigError) -> PluginConfig {
    var tree = base ?? .map([])
    var source: String?
    for file in try pluginConfigFiles() {
      tree = tree.merged(with: try read(file))
      source = file
    }
    let overlay = environmentOverlay()
    if overlay != .map([]) {
      tree = tree.merged(with: overlay)
      source = source.map { "\($0) (with PLUGIN_* environment)" } ?? "PLUGIN_* environment"
    }
    return try PluginConfig(tree: tree, file: source)
  }

  /// The device config files to load, in merge order; empty when none exist.
  public func deviceConfigFiles() throws(ConfigError) -> [String] {
    if let override = environment["PLUGIN_DEVICE_CONFIG"], !override.isEmpty {
      return try filesAt(override, variable: "PLUGIN_DEVICE_CONFIG")
    }
    for directory in Self.deviceSearchPaths {
      let files = yamlFiles(in: absolute(directory))
      if !files.isEmpty { return files }
    }
    return []
  }

  /// Reads and merges the device config files (lists concatenate, so `devices` join).
  public func loadDeviceConfig(files: [String]) throws(ConfigError) -> DeviceConfig {
    var devices: [DeviceConfig.Prototype] = []
    for file in files {
      devices += try DeviceConfig(tree: try read(file), file: file).devices
    }
    return DeviceConfig(devices: devices)
  }

  func pluginConfigFiles() throws(ConfigError) -> [String] {
    if let override = environment["PLUGIN_CONFIG"], !override.isEmpty {
      return try filesAt(override, variable: "PLUGIN_CONFIG")
    }
    for directory in Self.pluginSearchPaths {
      for name in ["config.yml", "config.yaml"] {
        let path = (absolute(directory) as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: path) { return [path] }
      }
    }
    return []
  }

  /// `PLUGIN_*` variables as a config tree: `PLUGIN_SETTINGS_READ_INTERVAL=2s` sets
  /// `settings.read.interval` (keys match case-insensitively later).
  func environmentOverlay() -> ConfigValue {
    var tree = ConfigValue.map([])
    for name in overrideVariables() {
      let path = Self.overridePath(name)
      // An empty variable is unset, as on the server: `PLUGIN_NETWORK_ADDRESS=` keeps the file's.
      guard !path.isEmpty, let value = environment[name], !value.isEmpty else { continue }
      var nested = ConfigValue.string(value)
      for key in path.reversed() { nested = .map([(key, nested)]) }
      tree = tree.merged(with: nested)
    }
    return tree
  }

  private func filesAt(_ path: String, variable: String) throws(ConfigError) -> [String] {
    let full = absolute(path)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else {
      throw ConfigError(.missingFile, file: path, message: "\(variable) names a path that does not exist")
    }
    if isDirectory.boolValue { return yamlFiles(in: full) }
    guard full.hasSuffix(".yml") || full.hasSuffix(".yaml") else {
      throw ConfigError(.invalidFile, file: path, message: "\(variable) must name a .yml/.yaml file or a directory")
    }
    return [full]
  }

  private func yamlFiles(in directory: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
      .map { (directory as NSString).appendingPathComponent($0) }
  }

  private func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : (workingDirectory as NSString).appendingPathComponent(path)
  }

  func read(_ file: String) throws(ConfigError) -> ConfigValue {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw ConfigError(.missingFile, file: file, message: "cannot read the file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigError(.invalidFile, file: file, message: "the file is not UTF-8 text")
    }
    let tree = try YAMLReader.parse(text, file: file)
    if tree == .null { return .map([]) }
    guard case .map = tree else {
      throw ConfigError(.invalidFile, file: file, message: "the top level must be a mapping")
    }
    return tree
  }
}
