import SynseSDK

/// LED: stored `state` (`on`, `off`, `blink`) and `color` (6 hex digits).
enum LED {
  static let states: Set<String> = ["on", "off", "blink"]

  static func handler(state: EmulatorState) -> DeviceHandler {
    DeviceHandler(
      name: "led",
      read: { device in
        [
          Output.state.reading(.string(state.string("state", for: device, default: "off"))),
          Output.color.reading(.string(state.string("color", for: device, default: "000000"))),
        ]
      },
      write: { device, write in
        guard !write.data.isEmpty else { throw HandlerError("write action '\(write.action)' requires data") }
        let text = write.text
        switch write.action {
        case "state":
          guard states.contains(text) else { throw HandlerError("unsupported LED state '\(text)' (want on, off or blink)") }
          state.setString("state", to: text, for: device)
        case "color":
          guard text.count == 6, text.allSatisfy(\.isHexDigit) else {
            throw HandlerError("LED color '\(text)' must be 6 hex digits (3 bytes)")
          }
          state.setString("color", to: text, for: device)
        default:
          throw HandlerError("unsupported LED write action '\(write.action)'")
        }
      })
  }
}
