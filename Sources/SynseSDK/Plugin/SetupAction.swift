/// Work done once per device before the loops start, for devices whose type matches a
/// glob (`*fan` covers `fan` and `multi-fan`), as the Go SDK's device setup actions.
///
/// A throw stops startup with ``ConfigError/Code/invalidDevice`` naming the action and device.
public struct SetupAction: Sendable {
  /// Named in the error when the action fails.
  public let name: String
  /// Shell glob (`*`, `?`) over ``Device/type``.
  public let typePattern: String
  /// The work, once per matching device.
  public let action: @Sendable (Device) throws -> Void

  /// Creates an action; add it to ``Plugin/setupActions``.
  public init(name: String, typePattern: String, action: @escaping @Sendable (Device) throws -> Void) {
    self.name = name
    self.typePattern = typePattern
    self.action = action
  }

  func applies(to device: Device) -> Bool {
    Self.glob(typePattern[...], device.type[...])
  }

  /// Shell-style matching with `*` and `?`.
  static func glob(_ pattern: Substring, _ text: Substring) -> Bool {
    guard let first = pattern.first else { return text.isEmpty }
    switch first {
    case "*":
      let rest = pattern.dropFirst()
      var candidate = text
      while true {
        if glob(rest, candidate) { return true }
        if candidate.isEmpty { return false }
        candidate = candidate.dropFirst()
      }
    case "?":
      return !text.isEmpty && glob(pattern.dropFirst(), text.dropFirst())
    default:
      return text.first == first && glob(pattern.dropFirst(), text.dropFirst())
    }
  }
}
