import SynseSDK

/// The random-walk and accumulating sensors: each reads one output and takes
/// `min`/`max`/`current` integer writes (docs/plugin-protocol.md §5.3).
struct NumericDevice {
  let type: String
  let output: Output
  let mode: Emitter.Mode
  let min: Int64
  let max: Int64

  static let all: [NumericDevice] = [
    NumericDevice(type: "airflow", output: EmulatorOutputs.airflow, mode: .randomWalk, min: -100, max: 100),
    NumericDevice(type: "temperature", output: .temperature, mode: .randomWalk, min: 0, max: 100),
    NumericDevice(type: "pressure", output: .pascal, mode: .randomWalk, min: -5, max: 5),
    NumericDevice(type: "voltage", output: .voltage, mode: .randomWalk, min: 100, max: 500),
    NumericDevice(type: "current", output: .electricCurrent, mode: .randomWalk, min: 0, max: 30),
    NumericDevice(type: "frequency", output: .frequency, mode: .randomWalk, min: 0, max: 60),
    NumericDevice(type: "energy", output: .kilowattHour, mode: .accumulate, min: 0, max: 100_000),
    NumericDevice(type: "seconds", output: .seconds, mode: .accumulate, min: 0, max: 0),
  ]

  func handler(state: EmulatorState) -> DeviceHandler {
    DeviceHandler(
      name: type,
      read: { device in [output.reading(.int64(try state.emitter(for: device).next()))] },
      write: { device, write in try applyBoundsWrite(write, to: try state.emitter(for: device)) })
  }

  func setup(state: EmulatorState) -> SetupAction {
    SetupAction(name: "\(type) emitter", typePattern: type) { device in
      state.setEmitter(Emitter.forDevice(device.emulatorSettings, mode: mode, min: min, max: max), for: device)
    }
  }
}

/// `min`, `max` and `current` writes with base-10 integer data.
func applyBoundsWrite(_ write: WriteData, to emitter: Emitter) throws {
  guard !write.data.isEmpty else { throw HandlerError("write action '\(write.action)' requires data") }
  guard let value = Int64(write.text) else {
    throw HandlerError("write data '\(write.text)' is not a base-10 integer")
  }
  switch write.action {
  case "min": emitter.setMin(value)
  case "max": emitter.setMax(value)
  case "current": emitter.setCurrent(value)
  default: throw HandlerError("unsupported write action '\(write.action)'")
  }
}
