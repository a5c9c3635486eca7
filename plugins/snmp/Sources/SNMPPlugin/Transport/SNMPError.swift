public import SynseSupport

/// A failure talking to one SNMP target, with net-snmp's or the agent's own words for it.
public typealias SNMPError = PeerError<SNMPFailure>

/// What an operator does about an ``SNMPError``.
public enum SNMPFailure: String, Sendable, Hashable {
  /// SNMPv3: unknown user, wrong authentication or privacy key (the agent's report PDU).
  case credentials
  /// No answer within timeout × (retries + 1): the agent is down, unreachable, or (SNMPv2c,
  /// where agents drop requests silently) the community is wrong.
  case unreachable
  /// The agent answered with an error status (RFC 3416 §4.2.5: notWritable, wrongValue …).
  case agent
}
