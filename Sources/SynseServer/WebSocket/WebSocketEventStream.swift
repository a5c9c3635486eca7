import HummingbirdWebSocket
import ServiceLifecycle
import SynseServerCore

extension WebSocketConnection {
  /// The subscription a `request/event_stream` asks for: `data` holds the filters of SSE
  /// `/v3/events` (`type`, `severity`, `plugin`, `device`: a string or a list of strings;
  /// `tags`: tag groups as in `request/scan`) and an optional `last_event_id`.
  ///
  /// - Throws: ``SynseError/invalidUsage(_:)`` for an unknown type or severity, a field of the
  ///   wrong type, or a `last_event_id` that is not an event ID.
  func eventSubscription(_ data: WebSocketData) throws(SynseError) -> EventSubscription {
    // A new request, so strict: a typo (`typ`) must not silently subscribe to everything.
    if data.isMalformed { throw .invalidUsage(#"data of "request/event_stream" must be an object of filters"#) }
    if let unknown = data.fields.keys.sorted().first(where: { !Self.eventStreamFields.contains($0) }) {
      throw .invalidUsage("data \"\(unknown)\" is not an event_stream field (known: \(Self.eventStreamFields.joined(separator: ", ")))")
    }
    let filter = try commands.eventFilter(
      types: try data.strings("type"), severities: try data.strings("severity"), tagGroups: try data.tagGroups("tags"),
      plugins: try data.strings("plugin"), devices: try data.strings("device"))
    let resume: UInt64?
    switch data.fields["last_event_id"] {
    case nil, .null?: resume = nil
    case .int(let number)? where number >= 0: resume = UInt64(number)
    case .uint(let number)?: resume = number
    case .string(let text)?: resume = try Commands.lastEventID(text, from: #"data "last_event_id""#)
    // A whole number past 64 bits (JSON reads it as a double): as Commands.lastEventID reads it.
    case .double(let number)? where number >= 0x1p64 && number.isFinite && number == number.rounded(): resume = .max
    default: throw .invalidUsage(#"data "last_event_id" must be an event ID (a non-negative integer)"#)
    }
    return commands.eventSubscription(filter, after: resume)
  }

  static let eventStreamFields = ["type", "severity", "tags", "plugin", "device", "last_event_id", "stop"]

  /// Sends each matching event as `response/event` with the request's `id` and the event's
  /// object (`id`, `event`, `time`, …) as `data`, until the socket closes, a `stop` request,
  /// or graceful shutdown. The journal is the buffer: events are taken only as fast as the
  /// socket sends them, so a slow client falls behind instead of growing memory, and is told
  /// how many it lost by a `data` of `{"event": "events.missed", "missed": N}`.
  func forwardEvents(_ id: JSONValue, _ subscription: EventSubscription, to outbound: WebSocketOutboundWriter) async {
    var subscription = subscription
    let stop = StopSignal()
    EventStreamCount.opened("websocket", logger: logger)
    defer { EventStreamCount.closed("websocket", logger: logger) }
    await withGracefulShutdownHandler {
      while let batch = await subscription.next(waiting: nil, stop: stop) {
        var replies: [WebSocketReply] = []
        if batch.missed > 0 {
          replies.append(WebSocketReply(
            id: id, event: Self.eventReply, data: .object([("event", .string(SSEFrame.missedEvent)), ("missed", .uint(batch.missed))])))
        }
        replies += batch.events.map { WebSocketReply(id: id, event: Self.eventReply, data: .fragment($0.data)) }
        for reply in replies {
          do {
            try await send(reply, to: outbound)
          } catch {
            return
          }
        }
      }
    } onGracefulShutdown: {
      stop.fire()
    }
  }

  static let eventReply = "response/event"
}
