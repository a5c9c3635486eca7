import Foundation
import Synchronization
import SynseSDK

/// The emulated Vapor carousel: five read-only `status` registers and a `json` device
/// whose writes switch mode or rotate to a rack position (docs/plugin-protocol.md §5.3).
final class CarouselState: Sendable {
  enum Register: String, CaseIterable, Sendable {
    case getRackPosition = "Carousel Get Rack Position"
    case setRackPosition = "Carousel Set Rack Position"
    case stateMachineCode = "Carousel State Machine Code"
    case statusRegister = "Carousel Status Register"
    case vfdErrorCode = "Carousel VFD Error Code"
  }

  private struct State {
    var registers: [Register: Int64] = [
      .getRackPosition: 1, .setRackPosition: 1, .stateMachineCode: 1, .statusRegister: 0, .vfdErrorCode: 0,
    ]
    var errorMode = false
  }

  private let state = Mutex(State())
  /// Held for a whole rotation: further carousel writes wait for it.
  let rotation = AsyncLock()

  func value(_ register: Register) -> Int64 { state.withLock { $0.registers[register] ?? 0 } }
  func set(_ register: Register, _ value: Int64) { state.withLock { $0.registers[register] = value } }
  var isErrorMode: Bool { state.withLock { $0.errorMode } }

  func setMode(error: Bool) {
    state.withLock { state in
      state.errorMode = error
      state.registers[.stateMachineCode] = error ? 6 : 1
      state.registers[.statusRegister] = error ? 256 : 0
    }
  }
}

enum Carousel {
  static let okDocument = #"{"errors": {}, "status": "ok"}"#
  static let errorDocument = #"{"errors": {"vfd": "VFD fault: drive tripped"}, "status": "error"}"#

  static func statusHandler(state: EmulatorState) -> DeviceHandler {
    DeviceHandler(
      name: "status",
      read: { device in
        guard let register = CarouselState.Register(rawValue: device.info) else {
          throw HandlerError("no carousel register for device info '\(device.info)'")
        }
        return [Output.status.reading(.int64(state.carousel.value(register)))]
      })
  }

  static func jsonHandler(state: EmulatorState, stepInterval: Duration = .seconds(5)) -> DeviceHandler {
    let carousel = state.carousel
    return DeviceHandler(
      name: "json",
      read: { _ in [EmulatorOutputs.json.reading(.string(carousel.isErrorMode ? errorDocument : okDocument))] },
      write: { _, write in
        try await carousel.rotation.withLock {
          if write.action == "mode" {
            switch write.text {
            case "ok": carousel.setMode(error: false)
            case "error": carousel.setMode(error: true)
            default: throw HandlerError("unsupported carousel mode '\(write.text)' (want ok or error)")
            }
            return
          }
          guard !carousel.isErrorMode else { throw HandlerError("failed to rotate carousel") }
          let target = try rackTarget(write.action)
          guard target != carousel.value(.setRackPosition) else { return }
          carousel.set(.setRackPosition, target)
          carousel.set(.statusRegister, 1)
          carousel.set(.stateMachineCode, 1)
          while carousel.value(.getRackPosition) != target {
            try await Task.sleep(for: stepInterval)
            carousel.set(.getRackPosition, carousel.value(.getRackPosition) % 6 + 1)
          }
          carousel.set(.statusRegister, 0)
        }
      })
  }

  /// The rack number from an action written as JSON `{"rack": N}`.
  private static func rackTarget(_ action: String) throws -> Int64 {
    let pattern = #"^\s*\{\s*"rack"\s*:\s*(\d+)\s*\}\s*$"#
    guard let range = action.range(of: pattern, options: .regularExpression), !range.isEmpty,
      let digits = action.split(whereSeparator: { !$0.isNumber }).first, let rack = Int64(digits), (1...6).contains(rack)
    else {
      throw HandlerError("unsupported carousel action '\(action)' (want mode, or {\"rack\": 1..6})")
    }
    return rack
  }
}
