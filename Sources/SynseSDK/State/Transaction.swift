public import Foundation

/// The state of one write (docs/plugin-protocol.md §4.5): PENDING, WRITING, then DONE or ERROR.
public struct Transaction: Sendable, Equatable {
  public enum Status: Sendable, Equatable {
    case pending, writing, done, error

    public var isFinal: Bool { self == .done || self == .error }
  }

  public let id: String
  public let deviceID: String
  public let created: Date
  public internal(set) var updated: Date
  public internal(set) var status: Status
  public internal(set) var message: String
  public let timeout: Duration
  /// The write request item as received (echoed as `context`).
  public let context: WriteData

  /// Moves to `status`; a final status is never left again.
  mutating func transition(to status: Status, message: String = "", at date: Date) {
    guard !self.status.isFinal else { return }
    self.status = status
    self.message = message
    self.updated = date
  }
}
