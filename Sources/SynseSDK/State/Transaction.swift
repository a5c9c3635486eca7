public import Foundation

/// The state of one write (docs/plugin-protocol.md §4.5): PENDING, WRITING, then DONE or ERROR.
public struct Transaction: Sendable, Equatable {
  /// `V3WriteStatus`, in the order a write goes through them.
  public enum Status: Sendable, Equatable {
    /// Queued, waiting for a write pass.
    case pending
    /// The handler is running.
    case writing
    /// The handler returned.
    case done
    /// Refused, failed or timed out; ``Transaction/message`` says which.
    case error

    /// `done` or `error`: never left again, and what `WriteSync` waits for.
    public var isFinal: Bool { self == .done || self == .error }
  }

  /// The caller's `transaction` ID, or a random UUIDv4 when it gave none.
  public let id: String
  /// The written device's ID (even when the request named its alias).
  public let deviceID: String
  /// Creation time; the record expires `settings.transaction.ttl` after it.
  public let created: Date
  /// Time of the last status change.
  public internal(set) var updated: Date
  /// Where the write is.
  public internal(set) var status: Status
  /// Why it ended `error` (the handler's error text, `device write timed out`, …); else `""`.
  public internal(set) var message: String
  /// The device's ``Device/writeTimeout``, sent as a Go duration string (`30s`).
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
