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
  /// What of the profile the agent lacks (a table with no rows, a scalar with no value): the
  /// plugin logs each once, so a profile that does not fit an agent is not silent.
  public var problems: [String] = []
  /// Positions in ``devices`` by key: reads look devices up one at a time.
  private let positions: [String: Int]

  public init(profile: String, devices: [PolledDevice], time: Date, requests: Int) {
    (self.profile, self.devices, self.time, self.requests) = (profile, devices, time, requests)
    positions = Dictionary(devices.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
  }

  public func device(_ key: String) -> PolledDevice? { positions[key].map { devices[$0] } }
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
  /// The profile's `info`, and the row's label value for its `{label}`.
  var template: String
  var label: SNMPValue?
  public var value: Value?
  public var thresholds: Thresholds?

  /// The profile's `info` with `{index}` and `{label}` filled in.
  public var info: String {
    // Device text is rendered as Go templates by the SDK: an agent's text must stay literal.
    let label = (label?.text ?? "").replacingOccurrences(of: "{{", with: "{ {")
    return template.replacingOccurrences(of: "{index}", with: index ?? "").replacingOccurrences(of: "{label}", with: label)
      .trimmingCharacters(in: .whitespaces)
  }

  public enum Value: Sendable, Equatable {
    case number(Double)
    case text(String)
  }
}
