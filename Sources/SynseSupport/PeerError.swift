/// A failure talking to one peer of a plugin (a BMC, an SNMP agent), with the peer library's
/// own words for it. `kind` sorts failures the way an operator acts on them (fix the
/// credentials, look at the network, look at the peer); each plugin names its kinds.
///
/// ```swift
/// public enum SNMPFailure: String, Sendable { case credentials, unreachable, agent }
/// public typealias SNMPError = PeerError<SNMPFailure>
/// throw SNMPError(.unreachable, "no answer from 10.0.0.9:161")   // "unreachable: no answer …"
/// ```
public struct PeerError<Kind: RawRepresentable & Sendable & Hashable>: Error, CustomStringConvertible, Sendable, Equatable
where Kind.RawValue == String {
  public let kind: Kind
  public let message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { "\(kind.rawValue): \(message)" }
}
