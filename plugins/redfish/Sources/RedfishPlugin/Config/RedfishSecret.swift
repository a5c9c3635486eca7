/// A password held for a BMC login. Every way Swift renders a value (`description`,
/// `debugDescription`, `dump`/`Mirror`, string interpolation) shows `<redacted>`, so a secret
/// inside settings, errors or log metadata never prints; only the client reads ``value``.
public struct RedfishSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  let value: String

  init(_ value: String) {
    self.value = value
  }

  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }
  public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
