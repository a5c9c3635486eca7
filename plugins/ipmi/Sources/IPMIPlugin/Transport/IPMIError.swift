public import SynseSupport

/// A failure talking to one BMC, with FreeIPMI's own words for it.
public typealias IPMIError = PeerError<IPMIFailure>

/// What an operator does about an ``IPMIError``.
public enum IPMIFailure: String, Sendable, Hashable {
  /// Wrong username, password or privilege (FreeIPMI: "username invalid", "password
  /// invalid", "privilege level insufficient" …).
  case credentials
  /// No answer within the timeout, or the host could not be resolved.
  case unreachable
  /// The BMC answered with an error, or its SDR could not be read.
  case bmc
}

extension String {
  /// The text of a C buffer FreeIPMI filled, up to its first NUL.
  init(cBuffer: [CChar]) {
    self.init(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
