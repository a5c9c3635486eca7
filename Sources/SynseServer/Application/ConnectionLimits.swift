import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import SynseServerCore

/// What the API listener allows a connection (`http.header_timeout`, `http.body_timeout`,
/// `http.max_connections`; `http.idle_timeout` is Hummingbird's own, between requests).
struct ConnectionLimits: Sendable {
  /// Time to send a request's head once connected (TLS handshake included), and the longest
  /// pause while sending a body.
  var headerTimeout: TimeAmount
  /// Time to send a whole request body, once it started.
  var bodyTimeout: TimeAmount
  /// Connections served at once.
  var maxConnections: Int
  /// The count shared by every connection of one listener.
  let open = OpenConnections()
  /// Which listener, in its log lines (`api`, `metrics`): both have a cap of this size.
  let listener: String

  /// From `http.header_timeout`, `http.body_timeout` and `http.max_connections`.
  init(_ configuration: SynseServerCore.ServerConfiguration, listener: String = "api") {
    self.listener = listener
    headerTimeout = TimeAmount(configuration.http.headerTimeout)
    bodyTimeout = TimeAmount(configuration.http.bodyTimeout)
    maxConnections = configuration.http.maxConnections
  }
}

/// The connections a listener serves, and whether the cap was hit, so that reaching it and
/// recovering are one log line each rather than one per refused connection.
final class OpenConnections: Sendable {
  private struct State {
    var count = 0
    var refusedSinceCapHit = 0
    var capHit = false
  }

  private let state = Mutex(State())

  enum Admission { case admitted, refused(firstRefusal: Bool) }

  /// Counts a new connection in, unless `cap` are open already.
  func admit(cap: Int) -> Admission {
    state.withLock { state in
      guard state.count >= cap else {
        state.count += 1
        return .admitted
      }
      defer { state.capHit = true; state.refusedSinceCapHit += 1 }
      return .refused(firstRefusal: !state.capHit)
    }
  }

  /// Counts an admitted connection out; the number refused while at the cap when this was the
  /// first connection to close since the cap was hit.
  func close() -> Int? {
    state.withLock { state in
      state.count -= 1
      guard state.capHit else { return nil }
      defer { state.capHit = false; state.refusedSinceCapHit = 0 }
      return state.refusedSinceCapHit
    }
  }

}

/// Closes a connection that has not sent its first request head within the header timeout,
/// or pauses longer than that inside a request body, or has not sent a whole body within the
/// body timeout, with `408 Request Timeout` (a bare close once the head is read): Hummingbird
/// times out nothing before the first request head, so a client that sent half a request (or
/// a body a byte at a time) was held for ever. Sits after the HTTP decoder; removes itself
/// when a WebSocket upgrade is asked for, since frames, not HTTP parts, follow.
///
/// It also drops an `Upgrade` header the server cannot honour (anything but a complete
/// WebSocket upgrade of `/v3/connect`: `h2c` from `curl --http2`, a WebSocket upgrade of another
/// path or without its key), as RFC 9110 §7.8 allows: NIO's upgrade handler closed such a
/// connection without any answer; now the request is served as plain HTTP (and `/v3/connect`
/// answers its 400).
final class RequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias InboundOut = HTTPServerRequestPart

  static let response = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

  private let timeout: TimeAmount
  private let bodyTimeout: TimeAmount
  private let logger: Logger
  /// When the body of the request being read started arriving.
  private var bodyStarted: NIODeadline?
  private var deadline: Scheduled<Void>?
  /// Between a head and its end: the body is being read.
  private var inBody = false
  /// Whether a head has been read at all (before it, the timer runs from the connection's start).
  private var sawHead = false

  init(timeout: TimeAmount, bodyTimeout: TimeAmount, logger: Logger) {
    self.timeout = timeout
    self.bodyTimeout = bodyTimeout
    self.logger = logger
  }

  func handlerAdded(context: ChannelHandlerContext) { schedule(context, in: timeout, waitingFor: "the request head") }

  func handlerRemoved(context: ChannelHandlerContext) { cancel() }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(var head):
      cancel()
      let first = !sawHead
      sawHead = true
      inBody = true
      if first && Self.isWebSocketUpgrade(head) {
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        return
      }
      var changed = false
      // HTTP/1.0 closes after the response unless it asks to be kept alive (RFC 1945);
      // Hummingbird keeps every connection open until `Connection: close`.
      if head.version.major == 1 && head.version.minor == 0
        && !head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "keep-alive" }) {
        head.headers.replaceOrAdd(name: "connection", value: "close")
        changed = true
      }
      if first && head.headers.contains(name: "upgrade") {
        head.headers.remove(name: "upgrade")
        changed = true
      }
      if changed {
        context.fireChannelRead(wrapInboundOut(.head(head)))
        return
      }
    case .body:
      // Rescheduled at the end of the read burst rather than per part.
      cancel()
    case .end:
      cancel()
      inBody = false
      bodyStarted = nil
    }
    context.fireChannelRead(data)
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    // A body still expected after this read: the client has `timeout` to send more, and the
    // body as a whole `bodyTimeout`, so a byte now and then cannot hold a connection for ever.
    if inBody && deadline == nil {
      let now = NIODeadline.now()
      let started = bodyStarted ?? now
      bodyStarted = started
      let pause = now + timeout, whole = started + bodyTimeout
      schedule(context, in: min(pause, whole) - now, waitingFor: pause <= whole ? "more of the request body" : "the whole request body")
    }
    context.fireChannelReadComplete()
  }

  /// A WebSocket opening handshake the server can complete (RFC 6455 §4.2.1): HTTP/1.1 `GET
  /// /v3/connect`, `Upgrade: websocket`, `Connection: Upgrade`, a `Sec-WebSocket-Key` and
  /// `Sec-WebSocket-Version: 13`. Anything else NIO would refuse by closing the connection.
  static func isWebSocketUpgrade(_ head: HTTPRequestHead) -> Bool {
    let headers = head.headers
    guard headers[canonicalForm: "upgrade"].map({ $0.lowercased() }) == ["websocket"], head.method == .GET, head.version != .http1_0 else {
      return false
    }
    let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    return (path == "/v3/connect" || path == "/v3/connect/")
      && headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
      && !(headers.first(name: "sec-websocket-key") ?? "").isEmpty
      && headers.first(name: "sec-websocket-version") == "13"
  }

  private func schedule(_ context: ChannelHandlerContext, in delay: TimeAmount, waitingFor what: String) {
    let loopBound = NIOLoopBound((context, self), eventLoop: context.eventLoop)
    deadline = context.eventLoop.scheduleTask(in: delay) {
      let (context, guardHandler) = loopBound.value
      guardHandler.deadline = nil
      guardHandler.logger.debug("closing a connection that did not send \(what) in time", metadata: [
        "peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")", "timeout": "\(guardHandler.timeout)"])
      // A response is under way once the head is read: a 408 then would corrupt it.
      if guardHandler.sawHead || !answerAndClose(context, ByteBuffer(string: Self.response)) {
        context.close(promise: nil)
      }
    }
  }

  private func cancel() {
    deadline?.cancel()
    deadline = nil
  }
}

extension ConnectionLimits {
  /// Adds the header timeout to a child channel's pipeline, or, with `maxConnections` open
  /// already, answers 503 and closes it. Runs on the channel's event loop, after the HTTP
  /// handlers were added.
  func apply(to channel: any Channel, logger: Logger) throws {
    var tagged = logger
    tagged[metadataKey: "listener"] = "\(listener)"
    let logger = tagged
    let pipeline = channel.pipeline.syncOperations
    switch open.admit(cap: maxConnections) {
    case .admitted:
      let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
      try pipeline.addHandler(
        RequestHeadGuard(timeout: headerTimeout, bodyTimeout: bodyTimeout, logger: logger), position: .after(decoder))
      let open = self.open
      channel.closeFuture.whenComplete { _ in
        if let refused = open.close() {
          logger.notice("below the connection cap (http.max_connections) again; new connections are served", metadata: ["refused": "\(refused)"])
        }
      }
    case .refused(let firstRefusal):
      if firstRefusal {
        logger.warning(
          "connection cap reached (http.max_connections): new connections get 503 and are closed until one closes",
          metadata: ["cap": "\(maxConnections)"])
      }
      let refusal = SynseError.refused(
        status: 503, reason: "service unavailable",
        context: "the server's connection cap (http.max_connections, \(maxConnections)) is reached: retry later")
      let response = refusal.rawHTTPResponse(pretty: false)
      let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
      let context = try pipeline.context(handler: decoder)
      if !answerAndClose(context, response) { channel.close(promise: nil) }
    }
  }
}
