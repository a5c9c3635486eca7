import Foundation
import Logging
import Synchronization
import SynseSDK

/// `synse-example-plugin`: the smallest real plugin on the SDK, two kinds of device.
///
/// - `uptime` (read-only): this machine's uptime in seconds, read every `settings.read.interval`.
/// - `switch` (read-write): `on` or `off`, kept in memory; write `{"action": "state", "data": "on"}`.
///
/// The device config (`PLUGIN_DEVICE_CONFIG`, e.g. `examples/plugins/config/devices.yaml`) ties
/// devices to these handlers by `handler:` (or by `type:` when no handler is named); how to run
/// it: `examples/plugins/README.md`.
///
/// Flags: `--debug`, `--version`, `--dry-run` (load config and build devices, then exit).
/// Exit status 2 for a bad flag or configuration (the message names the file and key).
@main
enum ExamplePlugin {
  static func main() async {
    let arguments = Set(CommandLine.arguments.dropFirst())
    let flags = PluginFlags(
      debug: arguments.contains("--debug"), version: arguments.contains("--version"),
      dryRun: arguments.contains("--dry-run"))
    PluginLogging.bootstrap(identifier: "synse-example-plugin", debug: flags.debug)
    let logger = Logger(label: "synse-example-plugin")
    let unknown = arguments.subtracting(["--debug", "--version", "--dry-run"])
    guard unknown.isEmpty else {
      logger.critical("unknown arguments \(unknown.sorted()); flags: --debug, --version, --dry-run")
      exit(2)
    }

    var plugin = Plugin(
      metadata: PluginMetadata(name: "example plugin", maintainer: "synse-swift", description: "The SDK's example"),
      version: PluginVersion(pluginVersion: "1.0.0"))
    plugin.register(handler: uptime)
    plugin.register(handler: switchHandler(states: SwitchStates()))
    do {
      try await plugin.run(flags: flags, logger: logger)
    } catch {
      logger.critical("\(error)")
      exit(error is ConfigError ? 2 : 1)
    }
  }

  /// Read-only: one `seconds` reading (float64, s) per read pass.
  static let uptime = DeviceHandler(
    name: "uptime",
    read: { _ in [Output.seconds.reading(.float64(ProcessInfo.processInfo.systemUptime))] })

  /// Read-write: one `state` reading (`on`/`off`); the write action `state` sets it. Anything
  /// else fails the write's transaction with the thrown message (status `ERROR`).
  static func switchHandler(states: SwitchStates) -> DeviceHandler {
    DeviceHandler(
      name: "switch",
      read: { device in [Output.state.reading(.string(states.state(of: device)))] },
      write: { device, write in
        guard ["on", "off"].contains(write.text) else {
          throw HandlerError("switch state '\(write.text)' must be 'on' or 'off'")
        }
        states.set(write.text, of: device)
      },
      actions: ["state"])
  }
}

/// Each switch's state by device ID, shared by the read and write loops (they run
/// concurrently, hence the lock); a switch starts `off`.
final class SwitchStates: Sendable {
  private let states = Mutex<[String: String]>([:])

  func state(of device: Device) -> String { states.withLock { $0[device.id] ?? "off" } }

  func set(_ state: String, of device: Device) { states.withLock { $0[device.id] = state } }
}
