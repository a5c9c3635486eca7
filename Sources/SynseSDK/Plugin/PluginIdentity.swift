import Foundation

/// The plugin ID from the `id` config section (docs/plugin-protocol.md §2.2).
enum PluginIdentity {
  static func pluginID(tag: String, settings: PluginConfig.Identity, environment: [String: String]) throws(ConfigError) -> String {
    var components: [String] = []
    if settings.usePluginTag { components.append(tag) }
    if settings.useMachineID { components.append(DeviceIdentifier.protectedMachineID(tag: tag, machineID: try machineID())) }
    for name in settings.useEnv {
      guard let value = environment[name] else {
        throw ConfigError(.missingValue, key: "id.useEnv", message: "environment variable \(name) is not set")
      }
      components.append(value)
    }
    components += settings.useCustom
    guard !components.isEmpty else {
      throw ConfigError(.invalidValue, key: "id", message: "no plugin ID components are enabled")
    }
    return DeviceIdentifier.pluginID(namespaceName: components.joined(separator: "."))
  }

  private static func machineID() throws(ConfigError) -> String {
    for path in ["/var/lib/dbus/machine-id", "/etc/machine-id"] {
      if let text = try? String(contentsOfFile: path, encoding: .utf8) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { return trimmed }
      }
    }
    throw ConfigError(.missingFile, file: "/etc/machine-id", key: "id.useMachineID", message: "cannot read the machine ID")
  }
}
