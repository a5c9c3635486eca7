import SynseSDK

/// Power meter: a wattage walk plus a stored `state` string.
enum Power {
  static func handler(state: EmulatorState) -> DeviceHandler {
    DeviceHandler(
      name: "power",
      read: { device in
        [
          Output.watt.reading(.int64(try state.emitter(for: device).next())),
          Output.state.reading(.string(state.string("state", for: device, default: "1.0"))),
        ]
      },
      write: { device, write in
        if write.action == "state" {
          state.setString("state", to: write.text, for: device)
        } else {
          try applyBoundsWrite(write, to: try state.emitter(for: device))
        }
      })
  }

  static func setup(state: EmulatorState) -> SetupAction {
    SetupAction(name: "power emitter", typePattern: "power") { device in
      state.setEmitter(Emitter.forDevice(device.emulatorSettings, mode: .randomWalk, min: 1000, max: 3000), for: device)
    }
  }
}
