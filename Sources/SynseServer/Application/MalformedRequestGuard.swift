import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket
import SynseServerCore

/// Answers a request the HTTP parser rejects (a NUL byte in a header, a broken request line)
/// with `400 Bad Request`, or `431` for header fields over 80 KiB, a Synse JSON error either
/// way (``ParserErrorResponder``), and closes the connection. hummingbird-websocket 2.8.1 turns NIO's
/// error handling off in its upgradable pipeline and leaves such a connection open with no
/// answer, so the client hangs; a plain HTTP/1 Hummingbird server answers 400, as this does.
/// A WebSocket upgrade that authentication refused gets its 401/403 (``UpgradeRefusals``).
///
/// It also applies the listener's ``ConnectionLimits``: the header timeout and the connection cap.
struct MalformedRequestGuard<Base: ServerChildChannel>: ServerChildChannel {
  let base: Base
  let limits: ConnectionLimits

  func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Base.Value> {
    base.setup(channel: channel, logger: logger).flatMapThrowing { value in
      let pipeline = channel.pipeline.syncOperations
      let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
      try pipeline.addHandler(ParserErrorResponder(), position: .after(decoder))
      try pipeline.addHandler(UpgradeRefusalResponder(), position: .last)
      try limits.apply(to: channel, logger: logger)
      return value
    }
  }

  func handle(value: Base.Value, logger: Logger) async {
    await base.handle(value: value, logger: UpgradeNoiseFilter.wrapping(logger))
  }
}

/// Passes everything on: its context writes bytes straight to the socket, past the encoders.
/// Added only once a request is malformed, so that well-formed traffic never passes through it.
private final class RawWriter: ChannelOutboundHandler, Sendable {
  typealias OutboundIn = ByteBuffer
}

final class ParserErrorResponder: ChannelInboundHandler, Sendable {
  typealias InboundIn = HTTPServerRequestPart

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    guard let error = error as? HTTPParserError, answerAndClose(context, Self.response(to: error)) else {
      context.fireErrorCaught(error)
      return
    }
  }

  /// The whole response to a request NIO's parser refused, with a Synse JSON error body
  /// (docs/api-v3.md §2.1, compact whatever `pretty_json` says): `431 Request Header Fields
  /// Too Large` (RFC 6585 §5) for header fields over NIO's limits
  /// (`NIOHTTPDecoderLimitConfiguration`: 80 KiB for one field, and for all together), else
  /// `400 Bad Request` naming the parser's error.
  static func response(to error: HTTPParserError) -> ByteBuffer {
    let refusal: SynseError
    if case .headerOverflow = error {
      // The decoder's limits as NIO sets them, so the message follows if they ever change.
      let limits = NIOHTTPDecoderLimitConfiguration()
      let (field, all) = (limits.maxHeaderFieldSize / 1024, limits.maxHeaderListSize / 1024)
      refusal = .refused(
        status: 431, reason: "Request Header Fields Too Large",
        context: "the request's header fields are over the limit (\(field) KiB for one field, \(all) KiB for all of them "
          + "together); the connection is closed")
    } else {
      refusal = .refused(
        status: 400, reason: "Bad Request", context: "the request could not be parsed as HTTP/1.1 (\(error)); the connection is closed")
    }
    let body = refusal.body.serializedBytes(pretty: false)
    var buffer = ByteBuffer(
      string: "HTTP/1.1 \(refusal.httpStatus) \(refusal.description)\r\nConnection: close\r\nContent-Type: application/json\r\n"
        + "Content-Length: \(body.count)\r\n\r\n")
    buffer.writeBytes(body)
    return buffer
  }
}

/// Writes `bytes` straight to the connection, past the HTTP encoders (through ``RawWriter``,
/// placed just before the response encoder, so that TLS still encrypts them), and closes it
/// (within a second even if the client reads nothing);
/// false when the pipeline would not take the writer.
func answerAndClose(_ context: ChannelHandlerContext, _ bytes: ByteBuffer) -> Bool {
  let pipeline = context.pipeline.syncOperations
  guard let encoder = try? pipeline.handler(type: HTTPResponseEncoder.self),
    (try? pipeline.addHandler(RawWriter(), position: .before(encoder))) != nil,
    let raw = try? pipeline.context(handlerType: RawWriter.self)
  else {
    return false
  }
  let channel = context.channel
  raw.writeAndFlush(NIOAny(bytes)).whenComplete { _ in channel.close(promise: nil) }
  // Under TLS the write waits for a handshake that a client may never make.
  channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
  return true
}

/// Writes the 401/403 of a WebSocket upgrade that authentication refused (``UpgradeRefusals``)
/// and closes the connection. Last in the pipeline, after NIO's upgrade handler, which fires
/// the refusal as an error towards the tail.
private final class UpgradeRefusalResponder: ChannelInboundHandler, Sendable {
  typealias InboundIn = HTTPServerRequestPart

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    guard error is NIOWebSocketUpgradeError, let refusal = UpgradeRefusals.take(ObjectIdentifier(context.channel)),
      answerAndClose(context, refusal)
    else {
      context.fireErrorCaught(error)
      return
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    _ = UpgradeRefusals.take(ObjectIdentifier(context.channel))
    context.fireChannelInactive()
  }
}

extension HTTPServerBuilder {
  /// HTTP/1 with WebSocket upgrade, answering malformed requests with 400 (see
  /// ``MalformedRequestGuard``).
  static func guardedWebSocketUpgrade<WSResponderBuilder: HTTPResponderBuilder & _HB_SendableMetatype>(
    webSocketRouter: WSResponderBuilder, configuration: HTTP1WebSocketUpgradeChannel.Configuration, limits: ConnectionLimits
  ) -> HTTPServerBuilder where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
    let webSocketResponder = webSocketRouter.buildResponder()
    return .init { responder in
      MalformedRequestGuard(
        base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
        limits: limits)
    }
  }
}

extension HTTPServerBuilder {
  /// HTTP/1 without upgrades (the separate `/metrics` listener), with the same 400 for
  /// malformed requests and the same ``ConnectionLimits`` as the API port.
  static func guardedHTTP1(idleTimeout: TimeAmount, limits: ConnectionLimits) -> HTTPServerBuilder {
    .init { responder in
      MalformedRequestGuard(base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout)), limits: limits)
    }
  }
}

/// Passes a connection's log lines on, but hummingbird-websocket's "Error handling upgrade
/// result" at `debug`: it logs that at `error` whenever a connection closes before sending a
/// request head, which is what a port check does and what the header timeout and connection
/// cap do to a slow client: a thousand slow clients must not be a thousand error lines.
struct UpgradeNoiseFilter: LogHandler {
  var base: any LogHandler

  var logLevel: Logger.Level {
    get { base.logLevel }
    set { base.logLevel = newValue }
  }

  var metadata: Logger.Metadata {
    get { base.metadata }
    set { base.metadata = newValue }
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { base[metadataKey: key] }
    set { base[metadataKey: key] = newValue }
  }

  func log(event: LogEvent) {
    var event = event
    if event.level == .error && event.message.description == "Error handling upgrade result" {
      guard base.logLevel <= .debug else { return }
      event.level = .debug
    }
    base.log(event: event)
  }

  static func wrapping(_ logger: Logger) -> Logger {
    var filtered = logger
    filtered.handler = UpgradeNoiseFilter(base: logger.handler)
    return filtered
  }
}
