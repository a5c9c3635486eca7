public import Foundation
public import SynseSupport

/// What one poll of a target found: its devices' readings and thresholds, by device key.
public struct SNMPPoll: Sendable {
  public var profile: String
  /// In profile order, rows in index order.
  public var devices: [PolledDevice]
  /// When the poll began: the readings' timestamp.
  public var time: Date
  /// SNMP requests the poll sent (GET, GETBULK/GETNEXT), for the GETBULK benchmark.
  public var requests: Int

  public func device(_ key: String) -> PolledDevice? { devices.first { $0.key == key } }
}

/// One device of a poll.
public struct PolledDevice: Sendable {
  /// `<profile device key>` for a scalar, `<profile device key>.<row index>` for a row: with the
  /// target, the device's identity across restarts.
  public var key: String
  /// Which ``SNMPProfile/devices`` entry it comes from.
  public var spec: Int
  /// The row index (nil for a scalar), dotted.
  public var index: String?
  public var type: String
  public var output: String
  public var info: String
  public var value: Value?
  public var thresholds: Thresholds?

  public enum Value: Sendable, Equatable {
    case number(Double)
    case text(String)
  }
}
