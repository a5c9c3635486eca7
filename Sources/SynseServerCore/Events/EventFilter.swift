import Foundation

/// Which events of the feed a subscriber wants (SSE `/v3/events` query parameters, the
/// WebSocket `request/event_stream` data, webhook destinations): every given criterion must
/// hold; an empty criterion holds for every event.
///
/// - `kinds`: the event's kind is one of them.
/// - `severities`: the event has a severity (alarm events) and it is one of them; events
///   without one (plugin and transaction events) do not pass a severity filter.
/// - `tagGroups`: the event's device carries every tag of at least one group (as `/v3/scan`
///   `tags`: OR of ANDs, tags without a namespace are in `default/`); events without tags do
///   not pass.
/// - `plugins`, `devices`: the event's plugin ID / device ID is one of them.
///
/// A filter that matches nothing is valid: the subscriber only gets heartbeats.
public struct EventFilter: Sendable, Equatable {
  public var kinds: Set<ServerEvent.Kind> = []
  public var severities: Set<HealthState> = []
  public var tagGroups: [Set<String>] = []
  public var plugins: Set<String> = []
  public var devices: Set<String> = []

  /// Matches every event.
  public init() {}

  /// Reads the raw values of each criterion; each value may be a comma list and values may
  /// repeat (`type=alarm.raised,alarm.cleared&type=plugin.inactive`). Blank items are ignored.
  ///
  /// - Parameter tagGroups: one group per element, its tags as given (`default/` added here).
  /// - Throws: ``SynseError/invalidUsage(_:)`` naming an unknown event type or severity and the
  ///   values that are known.
  public init(types: [String], severities: [String], tagGroups: [[String]], plugins: [String], devices: [String]) throws(SynseError) {
    for name in Self.items(types) {
      guard let kind = ServerEvent.Kind(rawValue: name) else {
        throw .invalidUsage("invalid parameter: unknown event type '\(name)' (known: \(ServerEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      kinds.insert(kind)
    }
    for name in Self.items(severities) {
      guard let severity = HealthState(rawValue: name) else {
        throw .invalidUsage("invalid parameter: unknown severity '\(name)' (known: \(HealthState.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      self.severities.insert(severity)
    }
    self.tagGroups = Commands.applyNamespace("default", to: tagGroups.map { Self.items($0) }).filter { !$0.isEmpty }.map(Set.init)
    self.plugins = Set(Self.items(plugins))
    self.devices = Set(Self.items(devices))
  }

  /// Whether `event` passes every criterion.
  public func matches(_ event: ServerEvent) -> Bool {
    if !kinds.isEmpty, !kinds.contains(event.kind) { return false }
    if !severities.isEmpty, !(event.severity.map(severities.contains) ?? false) { return false }
    if !plugins.isEmpty, !(event.plugin.map(plugins.contains) ?? false) { return false }
    if !devices.isEmpty, !(event.device.map(devices.contains) ?? false) { return false }
    if !tagGroups.isEmpty, !tagGroups.contains(where: { $0.isSubset(of: event.tags) }) { return false }
    return true
  }

  /// Comma lists split and trimmed, blanks dropped.
  static func items(_ values: [String]) -> [String] {
    values.flatMap { $0.split(separator: ",") }.map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }
}
