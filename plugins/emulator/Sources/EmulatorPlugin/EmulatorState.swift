import Synchronization
import SynseSDK

/// The emulator's per-device value sources, created by setup actions and used by the
/// handlers (the Go emulator keeps these in globals; here one instance is passed around).
final class EmulatorState: Sendable {
  private let emitters = DeviceTable<Emitter>(kind: "emulated value source")
  private let strings = Mutex<[String: [String: String]]>([:])
  let carousel = CarouselState()
  /// The `scripted` devices' sequences, made by their setup action.
  let scripts = DeviceTable<ScriptedSequence>(kind: "script")

  func setEmitter(_ emitter: Emitter, for device: Device) {
    emitters.set(emitter, for: device)
  }

  /// The device's emitter; a device whose type had no setup action has none.
  func emitter(for device: Device) throws -> Emitter {
    try emitters.value(for: device)
  }

  func string(_ key: String, for device: Device, default value: String) -> String {
    strings.withLock { $0[device.id]?[key] ?? value }
  }

  func setString(_ key: String, to value: String, for device: Device) {
    strings.withLock { $0[device.id, default: [:]][key] = value }
  }
}

/// Per-device values by device ID, filled by setup actions and used by the handlers.
final class DeviceTable<Value: Sendable>: Sendable {
  private let values = Mutex<[String: Value]>([:])
  /// What a value is, for the error when a device has none.
  private let kind: String

  init(kind: String) { self.kind = kind }

  func set(_ value: Value, for device: Device) {
    values.withLock { $0[device.id] = value }
  }

  /// The device's value.
  /// - Throws: ``HandlerError`` `no <kind> for device <id> (type <type>)` when setup made none.
  func value(for device: Device) throws -> Value {
    guard let value = values.withLock({ $0[device.id] }) else {
      throw HandlerError("no \(kind) for device \(device.id) (type \(device.type))")
    }
    return value
  }
}

extension Device {
  var emulatorSettings: DeviceSettings {
    DeviceSettings(min: integer("min"), max: integer("max"), step: integer("step"), seed: integer("seed"))
  }
}
