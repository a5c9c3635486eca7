public import GRPCCore
import Instrumentation
import ServiceContextModule
import Synchronization
import Tracing

/// W3C trace context (`traceparent`, `tracestate`) across the server–plugin boundary, in gRPC
/// metadata, with a span per call on both sides (OpenTelemetry RPC semantic conventions:
/// `rpc.system` `grpc`, `rpc.service`, `rpc.method`). The propagator is the process tracer's
/// (`OTEL_PROPAGATORS`, W3C trace context by default).
///
/// The server's client side: a `client` span named `synse.v3.Plugin/Read`, ended when the
/// response stream ends or fails, carrying `synse.plugin`.
public struct TracingClientInterceptor: ClientInterceptor {
  /// The plugin's ID when the call is made (it is known only once the plugin registered).
  let plugin: @Sendable () -> String

  public init(plugin: @escaping @Sendable () -> String) {
    self.plugin = plugin
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingClientRequest<Input>,
    context: ClientContext,
    next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
  ) async throws -> StreamingClientResponse<Output> {
    let descriptor = context.descriptor
    let span = InstrumentationSystem.tracer.startSpan(
      descriptor.fullyQualifiedMethod, context: ServiceContext.current ?? .topLevel, ofKind: .client)
    guard span.isRecording else {
      // Not sampled: the plugin is told so (its traceparent's flag), and nothing is recorded here.
      var request = request
      InstrumentationSystem.instrument.inject(span.context, into: &request.metadata, using: MetadataCarrier())
      span.end()
      return try await next(request, context)
    }
    span.attributes["rpc.system"] = "grpc"
    span.attributes["rpc.service"] = descriptor.service.fullyQualifiedService
    span.attributes["rpc.method"] = descriptor.method
    span.attributes["synse.plugin"] = plugin()
    var request = request
    InstrumentationSystem.instrument.inject(span.context, into: &request.metadata, using: MetadataCarrier())
    let finish = SpanEnd(span)
    do {
      var response = try await next(request, context)
      switch response.accepted {
      case .success(var contents):
        contents.bodyParts = RPCAsyncSequence(wrapping: EndingParts(base: contents.bodyParts, end: finish))
        response.accepted = .success(contents)
      case .failure(let error):
        finish.end(error)
      }
      return response
    } catch {
      finish.end(error)
      throw error
    }
  }
}

/// The plugin's side: a `server` span per call, continuing the caller's trace, current
/// (`ServiceContext.current`) while the handler runs and writes its response, so the SDK's
/// own spans (a device's handler) are its children.
public struct TracingServerInterceptor: ServerInterceptor {
  public init() {}

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    var parent = ServiceContext.topLevel
    InstrumentationSystem.instrument.extract(request.metadata, into: &parent, using: MetadataCarrier())
    let descriptor = context.descriptor
    let span = InstrumentationSystem.tracer.startSpan(descriptor.fullyQualifiedMethod, context: parent, ofKind: .server)
    guard span.isRecording else {
      span.end()
      return Self.within(span.context, try await ServiceContext.withValue(span.context) { try await next(request, context) })
    }
    span.attributes["rpc.system"] = "grpc"
    span.attributes["rpc.service"] = descriptor.service.fullyQualifiedService
    span.attributes["rpc.method"] = descriptor.method
    let finish = SpanEnd(span)
    do {
      var response = try await ServiceContext.withValue(span.context) { try await next(request, context) }
      switch response.accepted {
      case .success(var contents):
        let producer = contents.producer
        let spanContext = span.context
        contents.producer = { writer in
          do {
            let trailers = try await ServiceContext.withValue(spanContext) { try await producer(writer) }
            finish.end(nil)
            return trailers
          } catch {
            finish.end(error)
            throw error
          }
        }
        response.accepted = .success(contents)
      case .failure(let error):
        finish.end(error)
      }
      return response
    } catch {
      finish.end(error)
      throw error
    }
  }
}

extension TracingServerInterceptor {
  /// A response whose body is written inside `spanContext` (the producer runs after the
  /// interceptor returns), so a handler's spans follow the call's sampling decision.
  static func within<Output>(_ spanContext: ServiceContext, _ response: StreamingServerResponse<Output>) -> StreamingServerResponse<Output> {
    guard case .success(var contents) = response.accepted else { return response }
    let producer = contents.producer
    contents.producer = { writer in try await ServiceContext.withValue(spanContext) { try await producer(writer) } }
    var response = response
    response.accepted = .success(contents)
    return response
  }
}

/// gRPC metadata as a carrier of trace context (ASCII values, keys lower case).
struct MetadataCarrier: Injector, Extractor {
  func inject(_ value: String, forKey key: String, into carrier: inout Metadata) {
    carrier.replaceOrAddString(value, forKey: key)
  }

  func extract(key: String, from carrier: Metadata) -> String? {
    carrier[stringValues: key].first { _ in true }
  }
}

/// Ends a span once, with an error status if the call failed.
final class SpanEnd: Sendable {
  private let span: Mutex<(any Span)?>

  init(_ span: any Span) { self.span = Mutex(span) }

  func end(_ error: (any Error)?) {
    guard let span = span.withLock({ stored in defer { stored = nil }; return stored }) else { return }
    if let error {
      span.recordError(error)
      span.setStatus(SpanStatus(code: .error))
      if let rpc = error as? RPCError { span.attributes["rpc.grpc.status_code"] = rpc.code.rawValue }
    }
    span.end()
  }
}

/// A response's body parts, ending the call's span at the end of the stream.
private struct EndingParts<Output: Sendable>: AsyncSequence, Sendable {
  typealias Element = StreamingClientResponse<Output>.Contents.BodyPart
  let base: RPCAsyncSequence<Element, any Error>
  let end: SpanEnd

  struct AsyncIterator: AsyncIteratorProtocol {
    var base: RPCAsyncSequence<Element, any Error>.AsyncIterator
    let end: SpanEnd

    mutating func next() async throws -> Element? {
      do {
        guard let part = try await base.next() else {
          end.end(nil)
          return nil
        }
        if case .trailingMetadata = part { end.end(nil) }
        return part
      } catch {
        end.end(error)
        throw error
      }
    }
  }

  func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(base: base.makeAsyncIterator(), end: end)
  }
}
