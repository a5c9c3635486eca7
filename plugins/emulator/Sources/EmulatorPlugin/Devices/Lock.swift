import SynseSDK

/// Door lock: `lock`, `unlock` and `pulseUnlock` (unlocked for 5 s, then locked again).
enum Lock {
  static func handler(state: EmulatorState, pulse: Duration = .seconds(5)) -> DeviceHandler {
    DeviceHandler(
      name: "lock",
      read: { device in [Output.status.reading(.string(state.string("status", for: device, default: "locked")))] },
      write: { device, write in
        switch write.action {
        case "lock": state.setString("status", to: "locked", for: device)
        case "unlock": state.setString("status", to: "unlocked_electrically", for: device)
        case "pulseUnlock":
          state.setString("status", to: "unlocked", for: device)
          // The write stays WRITING through the pulse, so its DONE means "locked again".
          try await Task.sleep(for: pulse)
          state.setString("status", to: "locked", for: device)
        default:
          throw HandlerError("unsupported lock write action '\(write.action)'")
        }
      })
  }
}
