/// A failure talking to one SNMP target, with net-snmp's or the agent's own words for it.
///
/// `kind` sorts failures the way an operator acts on them: fix the credentials, look at the
/// network or the community, or look at the agent.
public struct SNMPError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Kind: String, Sendable {
    /// SNMPv3: unknown user, wrong authentication or privacy key (the agent's report PDU).
    case credentials
    /// No answer within timeout × (retries + 1): the agent is down, unreachable, or (SNMPv2c,
    /// where agents drop requests silently) the community is wrong.
    case unreachable
    /// The agent answered with an error status (RFC 3416 §4.2.5: notWritable, wrongValue …).
    case agent
  }

  public let kind: Kind
  public let message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { "\(kind.rawValue): \(message)" }
}
