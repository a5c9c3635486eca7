import Foundation

extension Commands {
  /// The filter of an event subscription (SSE query parameters, WebSocket `event_stream`
  /// data), with device aliases resolved to IDs as events carry them.
  ///
  /// - Throws: ``SynseError/invalidUsage(_:)`` for an unknown event type or severity.
  public func eventFilter(
    types: [String], severities: [String], tagGroups: [[String]], plugins: [String], devices deviceNames: [String]
  ) throws(SynseError) -> EventFilter {
    var filter = try EventFilter(types: types, severities: severities, tagGroups: tagGroups, plugins: plugins, devices: deviceNames)
    filter.devices = Set(filter.devices.map { devices.device($0)?.id ?? $0 })
    return filter
  }

  /// A subscription to ``events`` after `lastEventID` (nil: from now on).
  public func eventSubscription(_ filter: EventFilter, after lastEventID: UInt64?) -> EventSubscription {
    EventSubscription(journal: events, filter: filter, after: lastEventID)
  }

  /// Reads a `Last-Event-ID` value: a decimal event ID; blank means none.
  ///
  /// - Throws: ``SynseError/invalidUsage(_:)`` for anything else.
  public static func lastEventID(_ text: String?) throws(SynseError) -> UInt64? {
    guard let text, !text.allSatisfy(\.isWhitespace) else { return nil }
    guard let id = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
      throw .invalidUsage("invalid Last-Event-ID '\(text)': an event ID is a non-negative integer")
    }
    return id
  }
}
