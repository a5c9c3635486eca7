import SynseSDK

/// A sensor that reads a configured sequence of values, one per read pass, so tests can drive
/// threshold crossings, dwell and hysteresis exactly (issue 17). Not in the default config;
/// example: `plugins/emulator/config/scripted/devices.yaml`.
///
/// ```yaml
/// - type: temperature
///   handler: scripted
///   instances:
///     - info: Inlet
///       data: {id: 1, output: temperature, values: [20, 20, 45, 45.5, 20], end: repeat}
/// ```
///
/// - `values`: a non-empty list of YAML numbers; an integer reads as an integer, a float as a
///   float, in the unit of the output.
/// - `output` (optional, default `temperature`): a built-in or emulator output by name.
/// - `end` (optional, default `repeat`): after the last value, `repeat` starts again from the
///   first, `hold` keeps reading the last.
///
/// The plugin's read loop calls the handler once per pass (`settings.read.interval`) and serves
/// every client from that pass's reading, so the sequence advances once per interval however
/// many clients read. The write action `script` with a JSON list of numbers as data (`[20, 50]`)
/// replaces the values; the next pass reads the first of them. Bad config stops startup with a
/// message naming the device and the `data` key; a bad write ends its transaction `ERROR`.
enum Scripted {
  static let handlerName = "scripted"

  static func handler(state: EmulatorState) -> DeviceHandler {
    DeviceHandler(
      name: handlerName,
      read: { device in
        let script = try state.scripts.value(for: device)
        return [script.output.reading(script.next())]
      },
      write: { device, write in
        let values = try ScriptedValues.parseWrite(write.text)
        try state.scripts.value(for: device).replace(values: values)
      },
      actions: ["script"])
  }

  /// Builds each scripted device's sequence from its `data` before the loops start; a bad
  /// setting becomes the SDK's startup error (`setup action 'scripted sensor' failed for
  /// device <id>: ...`, exit status 2).
  static func setup(state: EmulatorState, outputs: [Output]) -> SetupAction {
    let byName = Dictionary(outputs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    return SetupAction(name: "scripted sensor", typePattern: "*") { device in
      guard device.handler == handlerName else { return }
      state.scripts.set(try ScriptedSequence(device: device, outputs: byName), for: device)
    }
  }
}
