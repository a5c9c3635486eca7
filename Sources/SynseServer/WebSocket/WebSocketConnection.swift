import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import SynseServerCore
import Tracing

/// One `/v3/connect` connection: requests are handled strictly in arrival order, each
/// answered before the next is read (docs/api-v3.md §7.1); a bad message gets an error event and
/// the connection stays open.
struct WebSocketConnection {
  let commands: Commands
  let logger: Logger

  /// Messages over this many bytes are answered with an error event (`http.max_body_size`).
  let messageLimit: Int
  let metrics: ServerMetrics?
  let authenticator: Authenticator
  /// Who opened the connection (authenticated on the upgrade request): each request is
  /// checked against its scopes.
  var caller = Caller.anonymous()

  /// This connection handler for `caller`'s connection.
  func opened(by caller: Caller) -> WebSocketConnection {
    var connection = self
    connection.caller = caller
    return connection
  }

  /// Nil when `caller` has `scope`, else the 403 to answer with (audited).
  private func refusal(_ scope: Scope, event: String) -> SynseError? {
    do throws(SynseError) {
      try authenticator.authorize(caller, scope)
      return nil
    } catch {
      commands.audit.denied(caller.label, address: caller.address, request: "websocket \(event)", error: error)
      return error
    }
  }

  func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
    let streams = StreamStopper()
    var messages = WebSocketMessageReader(inbound, limit: messageLimit)
    try await withThrowingDiscardingTaskGroup { group in
      while let message = try await Self.next(from: &messages, closingOnViolation: outbound) {
        let reply: WebSocketReply
        switch message {
        case .oversize(let size):
          let error = SynseError.invalidUsage("websocket message of \(size) bytes is over the limit of \(messageLimit) bytes")
          reply = WebSocketReply(id: .int(-1), error: error)
        case .data(let data):
          guard let answered = await answer(data, streams: streams, group: &group, outbound: outbound) else { continue }
          reply = answered
        }
        try await send(reply, to: outbound)
      }
      // The socket closed: end every stream of this connection.
      group.cancelAll()
    }
  }

  /// The next message; a framing violation closes the socket with 1002 and ends the loop.
  private static func next(
    from messages: inout WebSocketMessageReader, closingOnViolation outbound: WebSocketOutboundWriter
  ) async throws -> WebSocketMessageReader.Message? {
    do {
      return try await messages.next()
    } catch let violation as WebSocketMessageReader.ProtocolViolation {
      try? await outbound.close(.protocolError, reason: "\(violation)")
      return nil
    }
  }

  /// The reply to one message, or nil when it gets none (`read_stream` starts and stops).
  private func answer(
    _ data: Data, streams: StreamStopper, group: inout ThrowingDiscardingTaskGroup<any Error>, outbound: WebSocketOutboundWriter
  ) async -> WebSocketReply? {
    let envelope = Self.envelope(data)
    // Stopping streams needs no scope: it gives access up, and must still work after the
    // connection's JWT expired.
    if case .request(let id, let name, let fields) = envelope, name == "request/read_stream" || name == "request/event_stream",
      !fields.truthy("stop"), let refused = refusal(.read, event: name)
    {
      return WebSocketReply(id: id, error: refused)
    }
    switch envelope {
    case .invalid(let error):
      return WebSocketReply(id: .int(-1), error: error)
    case .request(let id, "request/read_stream", let fields):
      metrics?.websocketRequest(event: "request/read_stream", bytes: data.count, latency: .zero)
      // Streams run beside the request loop; `stop` ends all of them and gets no reply.
      if fields.truthy("stop") {
        streams.stopAll()
        return nil
      }
      let ids: [String], tagGroups: [[String]]
      do throws(SynseError) {
        (ids, tagGroups) = (try fields.strings("ids"), try fields.tagGroups("tag_groups"))
      } catch {
        return WebSocketReply(id: id, error: error)
      }
      let stopped = streams.register()
      group.addTask {
        await Self.race(until: stopped) {
          await forward(id, ids: ids, tagGroups: tagGroups, to: outbound)
        }
      }
      return nil
    case .request(let id, "request/event_stream", let fields):
      metrics?.websocketRequest(event: "request/event_stream", bytes: data.count, latency: .zero)
      // Like read streams: beside the request loop, and `stop` ends every stream. Unlike
      // read_stream's (the original's Python truthiness), a new request's flag is a boolean.
      switch fields.fields["stop"] {
      case nil, .null?, .bool?: break
      default: return WebSocketReply(id: id, error: .invalidUsage(#"data "stop" must be true or false"#))
      }
      if fields.truthy("stop") {
        streams.stopAll()
        return nil
      }
      let subscription: EventSubscription
      do throws(SynseError) {
        subscription = try eventSubscription(fields)
      } catch {
        return WebSocketReply(id: id, error: error)
      }
      let stopped = streams.register()
      group.addTask { await Self.race(until: stopped) { await forwardEvents(id, subscription, to: outbound) } }
      return nil
    case .request(let id, let name, let fields):
      let start = ContinuousClock.now
      // Unknown names come from clients: one label value for all of them keeps the series bounded.
      let label = WebSocketEvent(rawValue: name) != nil ? name : ServerMetrics.unknownEvent
      // A trace of its own per request (with `otel.enabled`), not a child of the connection's
      // upgrade request, which may last for days.
      let reply = await withSpan("websocket \(label)", context: .topLevel, ofKind: .server) { span in
        span.attributes["synse.websocket.event"] = label
        let reply = await respond(id: id, event: name, data: fields)
        if reply.event == "response/error" { span.setStatus(SpanStatus(code: .error)) }
        return reply
      }
      metrics?.websocketRequest(event: label, bytes: data.count, latency: ContinuousClock.now - start)
      return reply
    }
  }

  /// Forwards one read stream to the socket through a bounded buffer: a client that reads
  /// slower than plugins produce loses the oldest readings (counted and logged), so a stalled
  /// client never grows the server's memory.
  private func forward(_ id: JSONValue, ids: [String], tagGroups: [[String]], to outbound: WebSocketOutboundWriter) async {
    let (buffer, continuation) = AsyncStream<JSONValue>.makeStream(bufferingPolicy: .bufferingNewest(Self.streamBuffer))
    let dropped = DropCounter()
    let logger = self.logger
    await withDiscardingTaskGroup { group in
      group.addTask {
        await commands.readStream(ids: ids, tagGroups: tagGroups) { reading in
          if case .dropped = continuation.yield(reading) {
            let count = dropped.increment()
            if count == 1 || count % 1000 == 0 {
              logger.warning("websocket client is slow; dropping oldest readings", metadata: ["stream": "\(id.serialized(pretty: false))", "dropped": "\(count)"])
            }
          }
        }
        continuation.finish()
      }
      group.addTask {
        for await reading in buffer {
          let reply = WebSocketReply(id: id, event: "response/reading", data: reading)
          do {
            try await send(reply, to: outbound)
          } catch {
            break
          }
        }
      }
    }
  }

  /// The largest frame the decoder buffers before closing with 1009: a few times the message
  /// limit, so an oversize message that arrives as one frame still gets its error event.
  static func frameLimit(messageLimit: Int) -> Int { max(messageLimit * 4, 1 << 16) }

  /// Sends one message and counts its bytes under its event.
  func send(_ reply: WebSocketReply, to outbound: WebSocketOutboundWriter) async throws {
    let text = String(decoding: reply.json.serializedBytes(pretty: false), as: UTF8.self)
    try await outbound.write(.text(text))
    metrics?.websocketResponse(event: reply.event, bytes: text.utf8.count)
  }

  /// Readings a stream may hold for a slow client before dropping the oldest.
  static let streamBuffer = 1024

  /// Runs `body` until it ends or `stopped` fires, whichever is first.
  private static func race(until stopped: AsyncStream<Void>, _ body: @escaping @Sendable () async -> Void) async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await body() }
      group.addTask { for await _ in stopped { return } }
      await group.next()
      group.cancelAll()
    }
  }

  /// A decoded message: a request, or the error answering an unusable one (sent with id -1).
  enum Envelope {
    case request(id: JSONValue, event: String, data: WebSocketData)
    case invalid(SynseError)
  }

  /// Decodes a message once: JSON object with `id` and a string `event` (docs/api-v3.md §7.2).
  static func envelope(_ data: Data) -> Envelope {
    guard case .object(let pairs)? = JSONValue(parsing: data) else {
      return .invalid(.malformedMessage("unable to parse websocket payload as a JSON object"))
    }
    let fields = Dictionary(pairs, uniquingKeysWith: { _, last in last })
    guard let id = fields["id"] else { return .invalid(.malformedMessage(#"expected "id" in websocket payload, but not found"#)) }
    guard case .string(let name)? = fields["event"] else {
      return .invalid(.malformedMessage(#"expected "event" in websocket payload, but not found"#))
    }
    return .request(id: id, event: name, data: WebSocketData(fields["data"]))
  }

  func respond(id: JSONValue, event name: String, data: WebSocketData) async -> WebSocketReply {
    guard let event = WebSocketEvent(rawValue: name) else { return WebSocketReply(id: id, error: .unsupportedEvent(name)) }
    if let refused = refusal(event.scope(data), event: name) { return WebSocketReply(id: id, error: refused) }
    do {
      let payload = try await handle(event, data)
      return WebSocketReply(id: id, event: event.responseEvent, data: payload)
    } catch {
      return WebSocketReply(id: id, error: error)
    }
  }

  private func handle(_ event: WebSocketEvent, _ data: WebSocketData) async throws(SynseError) -> JSONValue {
    switch event {
    case .status: return commands.test()
    case .version: return commands.version()
    case .config: return commands.config()
    case .plugins: return await commands.plugins(refresh: data.truthy("refresh"))
    case .plugin: return try await commands.plugin(id: try data.required("plugin"))
    case .pluginHealth: return await commands.pluginHealth()
    case .scan:
      return try await commands.scan(namespace: data.string("ns") ?? "default", tagGroups: try data.tagGroups("tags"), force: data.truthy("force"), sort: nil)
    case .tags: return commands.tags(namespaces: try data.strings("ns"), includeIDs: data.truthy("ids"))
    case .info: return try commands.info(deviceID: try data.required("device"))
    case .read: return try await commands.read(namespace: data.string("ns") ?? "default", tagGroups: try data.tagGroups("tags"), pluginID: nil)
    case .readDevice: return try await commands.readDevice(try data.required("device"))
    case .readCache:
      let collected = ReadingCollector()
      await commands.readCache(start: data.string("start") ?? "", end: data.string("end") ?? "") { reading in collected.append(reading) }
      return .array(collected.values)
    case .writeAsync, .writeSync:
      let device = try data.required("device")
      guard let payload = data.fields["payload"], payload != .null else { throw .invalidUsage(#"required data "payload" not specified"#) }
      let items = try Commands.writeItems(from: payload, requireAction: false)
      return event == .writeAsync
        ? try await commands.writeAsync(deviceID: device, items: items, caller: caller)
        : try await commands.writeSync(deviceID: device, items: items, caller: caller)
    case .transaction: return try await commands.transaction(try data.required("transaction"))
    case .transactions: return commands.transactionIDs()
    }
  }
}

import Synchronization

/// Counts readings dropped for a slow client.
private final class DropCounter: Sendable {
  private let value = Mutex(0)
  func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}

/// Signals `stop` to every running read stream of a connection.
private final class StreamStopper: Sendable {
  private let continuations = Mutex<[AsyncStream<Void>.Continuation]>([])

  func register() -> AsyncStream<Void> {
    let (stream, continuation) = AsyncStream<Void>.makeStream()
    continuations.withLock { $0.append(continuation) }
    return stream
  }

  func stopAll() {
    for continuation in continuations.withLock({ list in defer { list.removeAll() }; return list }) { continuation.finish() }
  }
}

/// Gathers streamed readings for the one-array `read_cache` answer.
private final class ReadingCollector: Sendable {
  private let storage = Mutex<[JSONValue]>([])
  func append(_ value: JSONValue) { storage.withLock { $0.append(value) } }
  var values: [JSONValue] { storage.withLock { $0 } }
}
