/// A failure talking to one BMC, with FreeIPMI's own words for it.
///
/// `kind` sorts failures the way an operator acts on them: fix the credentials, look at the
/// network, or look at the BMC.
public struct IPMIError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Kind: String, Sendable {
    /// Wrong username, password or privilege (FreeIPMI: "username invalid", "password
    /// invalid", "privilege level insufficient" …).
    case credentials
    /// No answer within the timeout, or the host could not be resolved.
    case unreachable
    /// The BMC answered with an error, or its SDR could not be read.
    case bmc
  }

  public let kind: Kind
  public let message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { "\(kind.rawValue): \(message)" }
}

extension String {
  /// The text of a C buffer FreeIPMI filled, up to its first NUL.
  init(cBuffer: [CChar]) {
    self.init(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
