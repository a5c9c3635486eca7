public import SynseSDK

/// The emulator plugin: emulated sensors, fans, LEDs, locks, power meters and a carousel,
/// built on the SDK only (docs/plugin-protocol.md §5).
public enum EmulatorPlugin {
  public static let metadata = PluginMetadata(
    name: "emulator plugin", maintainer: "vaporio", description: "A plugin with emulated devices and data",
    vcs: "github.com/vapor-ware/synse-emulator-plugin")

  public static let version = PluginVersion(pluginVersion: "3.4.1")

  /// A ready-to-run emulator plugin with its handlers, outputs, setup actions and defaults.
  public static func make() -> Plugin {
    let state = EmulatorState()
    var plugin = Plugin(metadata: metadata, version: version)
    for output in [EmulatorOutputs.airflow, EmulatorOutputs.json, EmulatorOutputs.raw] {
      try? plugin.register(output: output)
    }
    for device in NumericDevice.all {
      plugin.register(handler: device.handler(state: state))
      plugin.setupActions.append(device.setup(state: state))
    }
    plugin.register(handler: Humidity.handler(state: state))
    plugin.register(handler: Power.handler(state: state))
    plugin.register(handler: Fan.handler(state: state))
    plugin.register(handler: Fan.multiHandler(state: state))
    plugin.register(handler: LED.handler(state: state))
    plugin.register(handler: Lock.handler(state: state))
    plugin.register(handler: Carousel.statusHandler(state: state))
    plugin.register(handler: Carousel.jsonHandler(state: state))
    plugin.register(handler: EdgeCase.handler())
    let outputs = Output.builtIn + [EmulatorOutputs.airflow, EmulatorOutputs.json, EmulatorOutputs.raw]
    plugin.register(handler: Meter.handler(outputs: outputs))
    plugin.register(handler: Scripted.handler(state: state))
    plugin.setupActions.append(Scripted.setup(state: state, outputs: outputs))
    plugin.setupActions += [Humidity.setup(state: state), Power.setup(state: state), Fan.setup(state: state)]
    plugin.defaultPluginConfig = DefaultConfig.plugin
    plugin.defaultDeviceConfig = DefaultConfig.devices
    return plugin
  }
}
