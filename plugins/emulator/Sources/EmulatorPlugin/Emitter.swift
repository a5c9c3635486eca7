import Synchronization

/// An emulated numeric value source (docs/plugin-protocol.md §5.2).
final class Emitter: Sendable {
  enum Mode: Sendable { case store, randomWalk, accumulate }

  private struct State {
    var mode: Mode
    var value: Int64?
    var min: Int64
    var max: Int64
    var step: Int64
  }

  private let state: Mutex<State>

  init(mode: Mode, min: Int64 = 0, max: Int64 = 0, step: Int64 = 0, seed: Int64? = nil) {
    state = Mutex(State(mode: mode, value: seed, min: min, max: max, step: step))
  }

  /// Random walk and accumulate emitters for a device, honouring integer `data` settings.
  static func forDevice(_ device: DeviceSettings, mode: Mode, min: Int64, max: Int64) -> Emitter {
    Emitter(mode: mode, min: device.min ?? min, max: device.max ?? max, step: device.step ?? 0)
  }

  /// The next value: the stored value, the next step of the walk, or the next count.
  func next() -> Int64 {
    state.withLock { state in
      switch state.mode {
      case .store:
        return state.value ?? 0
      case .accumulate:
        let next = state.value.map { $0 + 1 } ?? state.min
        state.value = next > state.max ? state.min : next
        return state.value!
      case .randomWalk:
        guard let current = state.value else {
          // Truncating midpoint, as the Go emulator computes it.
          state.value = state.min + (state.max - state.min) / 2
          return state.value!
        }
        let maxStep = state.step == 0 ? 4 : state.step
        let delta = Int64.random(in: 0..<Swift.max(maxStep, 1))
        var next = Bool.random() ? current + delta : current - delta
        if next > state.max { next = current - delta }
        if next < state.min { next = current + delta }
        state.value = Swift.min(Swift.max(next, state.min), state.max)
        return state.value!
      }
    }
  }

  func setMin(_ value: Int64) { state.withLock { $0.min = value } }
  func setMax(_ value: Int64) { state.withLock { $0.max = value } }
  func setCurrent(_ value: Int64) { state.withLock { $0.value = value } }
}

/// Integer `data` settings of a device (only YAML integers count, as in the Go emulator).
struct DeviceSettings {
  let min: Int64?
  let max: Int64?
  let step: Int64?
  let seed: Int64?
}
