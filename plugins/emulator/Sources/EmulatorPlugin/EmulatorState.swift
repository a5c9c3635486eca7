import Synchronization
public import SynseSDK

/// The emulator's per-device value sources, created by setup actions and used by the
/// handlers (the Go emulator keeps these in globals; here one instance is passed around).
final class EmulatorState: Sendable {
  private let emitters = Mutex<[String: Emitter]>([:])
  private let strings = Mutex<[String: [String: String]]>([:])
  let carousel = CarouselState()
  let scripts = ScriptStore()

  func setEmitter(_ emitter: Emitter, for device: Device) {
    emitters.withLock { $0[device.id] = emitter }
  }

  /// The device's emitter; a device whose type had no setup action has none.
  func emitter(for device: Device) throws -> Emitter {
    guard let emitter = emitters.withLock({ $0[device.id] }) else {
      throw HandlerError("no emulated value source for device \(device.id) (type \(device.type))")
    }
    return emitter
  }

  func string(_ key: String, for device: Device, default value: String) -> String {
    strings.withLock { $0[device.id]?[key] ?? value }
  }

  func setString(_ key: String, to value: String, for device: Device) {
    strings.withLock { $0[device.id, default: [:]][key] = value }
  }
}

extension Device {
  var emulatorSettings: DeviceSettings {
    DeviceSettings(min: integer("min"), max: integer("max"), step: integer("step"), seed: integer("seed"))
  }
}
