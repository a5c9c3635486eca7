import SynseSDK

/// Fans: a stored speed set by `speed`/`speed_percent` writes. `fan-multi` also reports a
/// jittered measured speed.
enum Fan {
  static let rpmContext = ["min": "0", "max": "2700"]

  static func handler(state: EmulatorState) -> DeviceHandler {
    DeviceHandler(
      name: "fan",
      read: { device in
        [
          Output.direction.reading(.string("forward")),
          Output.rpm.reading(.int64(try state.emitter(for: device).next()), context: rpmContext),
        ]
      },
      write: { device, write in try setSpeed(write, emitter: try state.emitter(for: device)) })
  }

  static func multiHandler(state: EmulatorState) -> DeviceHandler {
    DeviceHandler(
      name: "fan-multi",
      read: { device in
        let speed = try state.emitter(for: device).next()
        return [
          Output.direction.reading(.string("forward")),
          Output.rpm.reading(.int64(Int64.random(in: (speed - 10)...(speed + 9))), context: rpmContext),
          Output.rpm.reading(.int64(speed)),
        ]
      },
      write: { device, write in try setSpeed(write, emitter: try state.emitter(for: device)) })
  }

  static func setup(state: EmulatorState) -> SetupAction {
    SetupAction(name: "fan emitter", typePattern: "*fan") { device in
      guard device.handler == "fan" || device.handler == "fan-multi" else { return }
      state.setEmitter(Emitter(mode: .store, seed: device.emulatorSettings.seed ?? 0), for: device)
    }
  }

  private static func setSpeed(_ write: WriteData, emitter: Emitter) throws {
    guard write.action == "speed" || write.action == "speed_percent" else {
      throw HandlerError("unsupported write action '\(write.action)'")
    }
    guard let value = Int64(write.text) else { throw HandlerError("fan speed '\(write.text)' is not an integer") }
    emitter.setCurrent(value)
  }
}
