import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import SynseServerCore

/// `GET /v3/events`: the event feed as Server-Sent Events (docs/api-v3.md "Events").
///
/// Parses the filters and `Last-Event-ID`, then writes SSE frames (``SSEFrame``) as the
/// journal gets matching events, a heartbeat comment after `events.heartbeat` of silence.
/// The stream ends when the client goes away (the next write fails, at the latest one
/// heartbeat later) and at graceful shutdown, so open clients never hold the server up.
struct EventStreamRoute {
  let commands: Commands

  /// - Throws: ``SynseError/invalidUsage(_:)`` (400) for an unknown `type` or `severity`, a
  ///   repeated `last_event_id` or a `Last-Event-ID` that is not an event ID.
  func response(_ request: Request) throws -> Response {
    let query = QueryParameters(request.uri.query)
    let filter = try commands.eventFilter(
      types: query.all("type"), severities: query.all("severity"), tagGroups: query.tagGroups,
      plugins: query.all("plugin"), devices: query.all("device"))
    // The header is what a reconnecting EventSource sends; the parameter is for clients that
    // cannot set headers. The header wins (it is the newer of the two), but a bad parameter
    // is an error with it too.
    let header = try Commands.lastEventID(request.headers[.init("Last-Event-ID")!])
    let parameter = try Commands.lastEventID(
      try query.single("last_event_id", "invalid parameter: only one last_event_id may be specified"), from: "last_event_id")
    let resume = header ?? parameter
    let subscription = commands.eventSubscription(filter, after: resume)
    let heartbeat = commands.configuration.events.heartbeat
    let logger = commands.logger
    return Response(
      status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
      body: ResponseBody { writer in
        var subscription = subscription
        let stop = StopSignal()
        EventStreamCount.opened("sse", logger: logger)
        defer { EventStreamCount.closed("sse", logger: logger) }
        try await withGracefulShutdownHandler {
          // At once, so the client sees the response head and knows it is subscribed.
          try await writer.write(SSEFrame.heartbeat)
          while let batch = await subscription.next(waiting: heartbeat, stop: stop) {
            var frames = batch.missed > 0 ? SSEFrame.missed(batch.missed) : ByteBuffer()
            for event in batch.events { frames.writeImmutableBuffer(SSEFrame.event(event)) }
            try await writer.write(frames.readableBytes > 0 ? frames : SSEFrame.heartbeat)
          }
        } onGracefulShutdown: {
          stop.fire()
        }
        try await writer.finish(nil)
      })
  }
}

/// Open event streams (SSE and WebSocket), logged as they open and close so an operator (and
/// the interop tests) can see a gone client's stream end.
enum EventStreamCount {
  private static let open = Atomic<Int>(0)

  static func opened(_ kind: String, logger: Logger) {
    let count = open.add(1, ordering: .relaxed).newValue
    logger.info("event stream opened", metadata: ["kind": "\(kind)", "open": "\(count)"])
  }

  static func closed(_ kind: String, logger: Logger) {
    let count = open.subtract(1, ordering: .relaxed).newValue
    logger.info("event stream closed", metadata: ["kind": "\(kind)", "open": "\(count)"])
  }
}
