import HTTPTypes
import Hummingbird
import Instrumentation
import SynseServerCore
import Tracing

/// A `server` span per HTTP request (`otel.enabled`), named `{method} {route}`
/// (`GET /v3/read/{device_id}`) with the HTTP semantic conventions' attributes, continuing a
/// caller's W3C `traceparent`.
///
/// Our own rather than Hummingbird's `TracingMiddleware`, which cost a third of `/v3/read`
/// throughput even at 1 % sampling (bench-otel.sh): it fills attributes for spans that are not
/// recorded, casts the request context per request, and ends spans after the body is written,
/// which splits the response's flush. Here an unsampled request only carries its span context
/// (so plugin calls are not sampled either), and a span ends when the response is ready.
struct RequestTracing: RouterMiddleware {
  typealias Context = SynseRequestContext
  /// Looked up once: `InstrumentationSystem.tracer` takes a lock on every call.
  let tracer = InstrumentationSystem.tracer

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    // A request starts here: nothing outside binds a context to continue (asking cost a task-local lookup).
    var parent = ServiceContext.topLevel
    // Without a `traceparent` there is nothing to continue (tracecontext, the one propagator
    // swift-otel has, reads `tracestate` only beside it); asking cost 1 % of /v3/read.
    if request.headers[HeaderExtractor.traceparent] != nil {
      tracer.extract(request.headers, into: &parent, using: HeaderExtractor())
    }
    let span = tracer.startSpan(request.method.rawValue, context: parent, ofKind: .server)
    guard span.isRecording else {
      defer { span.end() }
      return Self.continuing(try await ServiceContext.withValue(span.context) { try await next(request, context) }, in: span.context)
    }
    // Set once, at the end, as one dictionary: swift-otel's span hands out a copy of its
    // attributes, so each `span.attributes[key] = value` copied all the others. `set` takes
    // the value as it is stored (the subscript converts it through an existential).
    var attributes = SpanAttributes()
    attributes.set("http.request.method", value: .string(request.method.rawValue))
    attributes.set("url.path", value: .string(request.uri.path))
    if let query = request.uri.query { attributes.set("url.query", value: .string(query)) }
    if let agent = request.headers[.userAgent] { attributes.set("user_agent.original", value: .string(agent)) }
    attributes.set("client.address", value: .string(context.clientIP))
    do {
      let response = try await ServiceContext.withValue(span.context) { try await next(request, context) }
      let (route, method, status) = (context.endpointPath, request.method, Int(response.status.code))
      guard response.body.contentLength == nil else {
        finish(span, attributes, route: route, method: method, status: status)
        return response
      }
      return Self.continuing(response, in: span.context) { [self, attributes] in finish(span, attributes, route: route, method: method, status: status) }
    } catch {
      let status = (error as? any HTTPResponseError)?.status.code ?? 500
      if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
      span.recordError(error)
      finish(span, attributes, route: context.endpointPath, method: request.method, status: Int(status))
      throw error
    }
  }

  /// A body written as it is made (`/v3/readcache`, which calls the plugin while it writes) is
  /// written after this middleware returns: it is written inside the request's span context,
  /// so its plugin calls stay in the trace, and `written` (the span's end) runs after it.
  static func continuing(_ response: Response, in spanContext: ServiceContext, written: (@Sendable () -> Void)? = nil) -> Response {
    guard response.body.contentLength == nil else { return response }
    var response = response
    let body = response.body
    response.body = ResponseBody { writer in
      defer { written?() }
      try await ServiceContext.withValue(spanContext) { try await body.write(writer) }
    }
    return response
  }

  private func finish(_ span: any Span, _ attributes: SpanAttributes, route: String?, method: HTTPRequest.Method, status: Int) {
    var attributes = attributes
    if let route {
      span.operationName = "\(method.rawValue) \(route)"
      attributes.set("http.route", value: .string(route))
    }
    attributes.set("http.response.status_code", value: .int64(Int64(status)))
    span.attributes = attributes
    span.end()
  }
}

private struct HeaderExtractor: Extractor {
  static let traceparent = HTTPField.Name("traceparent")!
  /// The W3C trace context headers, made once rather than validated again per request.
  static let names: [String: HTTPField.Name] = Dictionary(
    uniqueKeysWithValues: ["traceparent", "tracestate", "baggage"].compactMap { key in HTTPField.Name(key).map { (key, $0) } })

  func extract(key: String, from headers: HTTPFields) -> String? {
    (Self.names[key] ?? HTTPField.Name(key)).flatMap { headers[$0] }
  }
}
