import SynseSDK

/// Humidity sensor: humidity and percentage share one walk value; temperature takes the next.
enum Humidity {
  static func handler(state: EmulatorState) -> DeviceHandler {
    DeviceHandler(
      name: "humidity",
      read: { device in
        let emitter = try state.emitter(for: device)
        let humidity = emitter.next()
        let temperature = emitter.next()
        return [
          Output.humidity.reading(.int64(humidity)),
          Output.percentage.reading(.int64(humidity)),
          Output.temperature.reading(.int64(temperature)),
        ]
      },
      write: { device, write in try applyBoundsWrite(write, to: try state.emitter(for: device)) })
  }

  static func setup(state: EmulatorState) -> SetupAction {
    SetupAction(name: "humidity emitter", typePattern: "humidity") { device in
      state.setEmitter(Emitter.forDevice(device.emulatorSettings, mode: .randomWalk, min: 0, max: 100), for: device)
    }
  }
}
