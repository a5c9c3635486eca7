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

  /// Reads a `Last-Event-ID` value: a decimal event ID; blank means none. Digits beyond
  /// `UInt64.max` read as `UInt64.max`: like any ID above the journal's newest, one this server
  /// run never issued, so the subscription starts from the oldest event kept.
  ///
  /// - Parameter source: what the value came from, for the error (the header, or the
  ///   `last_event_id` parameter or field of clients that cannot set headers).
  /// - Throws: ``SynseError/invalidUsage(_:)`` for anything else (a sign included).
  public static func lastEventID(_ text: String?, from source: String = "Last-Event-ID") throws(SynseError) -> UInt64? {
    guard let text, !text.allSatisfy(\.isWhitespace) else { return nil }
    let digits = text.trimmingCharacters(in: .whitespaces)
    guard digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
      let shown = text.count > 40 ? "\(text.prefix(40))…" : text
      throw .invalidUsage("invalid \(source) '\(shown)': an event ID is a non-negative integer")
    }
    return UInt64(digits) ?? .max
  }
}
