import Instrumentation
import OTel
import Tracing
import W3CTraceContext

/// swift-otel's tracer behind our own sampling decision (``TraceSampling``): a span that is not
/// sampled is never started in swift-otel, which would otherwise make a trace ID and a span ID
/// from the system generator and a span context for every request, sampled or not (at 1 %
/// sampling that was most of tracing's cost on `/v3/read`).
///
/// A trace that is not sampled still has a W3C trace context (`traceparent` with the `sampled`
/// flag clear), kept in the service context and injected into plugin calls, so that a plugin
/// (parent-based, by default) does not start traces of its own without their root; its trace
/// and span IDs appear in log lines (``Telemetry/metadataProvider``).
///
/// swift-otel itself is configured `always_on`: it only sees what is sampled here.
///
/// Not generic over swift-otel's tracer: called through `any Tracer`, a generic one ran
/// unspecialized, looking its metadata up at run time on every request.
struct SamplingTracer: Tracer {
  typealias Span = SampledSpan

  let base: any Tracer
  let sampling: TraceSampling
  /// Whether `tracecontext` is among `OTEL_PROPAGATORS` (it is by default).
  let propagates: Bool

  func startSpan<Instant: TracerInstant>(
    _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
    at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
  ) -> Span {
    let parent = context()
    if parent[UnsampledTraceKey.self] != nil { return SampledSpan(unrecorded: parent) }
    if !parent.otelIsSampled, let unsampled = unsampledRoot() {
      var unrecorded = parent
      unrecorded[UnsampledTraceKey.self] = unsampled
      return SampledSpan(unrecorded: unrecorded)
    }
    return SampledSpan(recorded: base.startSpan(operationName, context: parent, ofKind: kind, at: instant(), function: function, file: fileID, line: line))
  }

  /// The trace context a root carries instead of a span when it is not sampled; `nil` when it is.
  private func unsampledRoot() -> UnsampledTrace? {
    if case .always = sampling.root { return nil }
    var ids = UnsampledIDs()
    let traceID = TraceID.random(using: &ids)
    guard !sampling.samples(traceID: traceID) else { return nil }
    return UnsampledTrace(traceID: traceID, spanID: .random(using: &ids))
  }

  func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
  where Extract.Carrier == Carrier {
    guard propagates, let traceparent = extractor.extract(key: "traceparent", from: carrier).flatMap(Self.version00),
          let parent = try? TraceContext(traceParentHeaderValue: traceparent)
    else { return }
    // A `tracestate` that cannot be parsed is dropped, its `traceparent` still followed (W3C
    // Trace Context §3.3.1.1).
    let state = extractor.extract(key: "tracestate", from: carrier).flatMap { header in
      (try? TraceContext(traceParentHeaderValue: traceparent, traceStateHeaderValue: header)).map { _ in header }
    }
    if !sampling.samples(remote: parent) {
      context[UnsampledTraceKey.self] = UnsampledTrace(traceID: parent.traceID, spanID: parent.spanID)
      if let state, !state.isEmpty { context[UnsampledTraceStateKey.self] = state }
      return
    }
    // A plain sampler may sample what the caller did not: swift-otel (`always_on`) follows the flag.
    let sampled = TraceContext(traceID: parent.traceID, spanID: parent.spanID, flags: parent.flags.union(.sampled), state: TraceState())
    base.extract(carrier, into: &context, using: FollowedExtractor(base: extractor, traceparent: sampled.traceParentHeaderValue, tracestate: state))
  }

  /// A `traceparent` as version 00 reads it: a later version's first four fields (W3C Trace
  /// Context §3.2.4, "Versioning of traceparent"); `nil` for version `ff` or a value too short.
  static func version00(_ value: String) -> String? {
    let bytes = Array(value.utf8)
    guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-") else { return nil }
    let version = String(decoding: bytes[0..<2], as: UTF8.self)
    if version == "00" { return value }
    guard version != "ff", UInt8(version, radix: 16) != nil, version == version.lowercased(),
          bytes.count == 55 || bytes[55] == UInt8(ascii: "-")
    else { return nil }
    return "00" + String(decoding: bytes[2..<55], as: UTF8.self)
  }

  func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
  where Inject.Carrier == Carrier {
    guard let unsampled = context[UnsampledTraceKey.self] else {
      base.inject(context, into: &carrier, using: injector)
      return
    }
    guard propagates else { return }
    injector.inject(unsampled.traceparent, forKey: "traceparent", into: &carrier)
    if let state = context[UnsampledTraceStateKey.self] { injector.inject(state, forKey: "tracestate", into: &carrier) }
  }

  @available(*, deprecated)
  func forceFlush() { base.forceFlush() }
}

/// The trace and span IDs of a trace that is not recorded (``SamplingTracer``): 24 bytes, so a
/// service context holds them without a box of their own.
struct UnsampledTrace: Sendable {
  let traceID: TraceID
  let spanID: SpanID

  /// The W3C `traceparent` (version 00, the `sampled` flag clear).
  var traceparent: String { "00-\(traceID)-\(spanID)-00" }
}

enum UnsampledTraceKey: ServiceContextKey {
  typealias Value = UnsampledTrace
  static let nameOverride: String? = "synse-unsampled-trace"
}

/// The caller's `tracestate` of a trace that is not recorded, passed on as it came (W3C Trace
/// Context §3.3); most callers send none.
enum UnsampledTraceStateKey: ServiceContextKey {
  typealias Value = String
  static let nameOverride: String? = "synse-unsampled-tracestate"
}

/// A caller's headers as swift-otel is to read them: the `traceparent` as followed (version 00,
/// the `sampled` flag set), the `tracestate` only if it could be parsed.
private struct FollowedExtractor<Base: Extractor>: Extractor {
  let base: Base
  let traceparent: String
  let tracestate: String?

  func extract(key: String, from carrier: Base.Carrier) -> String? {
    switch key {
    case "traceparent": traceparent
    case "tracestate": tracestate
    default: base.extract(key: key, from: carrier)
    }
  }
}

/// A span of ``SamplingTracer``: swift-otel's when sampled, else one that records nothing and
/// carries its trace context (`ServiceContext`, with ``UnsampledTraceKey``) to its children.
struct SampledSpan: Tracing.Span {
  /// One word, so an `any Span` holds it inline rather than in a box per request.
  private enum State {
    case recorded(Recorded)
    case unrecorded(ServiceContext)
  }

  private final class Recorded: Sendable {
    let span: any Tracing.Span
    init(_ span: any Tracing.Span) { self.span = span }
  }

  private let state: State

  init(recorded: any Tracing.Span) { state = .recorded(Recorded(recorded)) }
  init(unrecorded context: ServiceContext) { state = .unrecorded(context) }

  private var recorded: (any Tracing.Span)? {
    if case .recorded(let box) = state { box.span } else { nil }
  }

  var context: ServiceContext {
    switch state {
    case .recorded(let box): box.span.context
    case .unrecorded(let context): context
    }
  }

  var isRecording: Bool { recorded?.isRecording ?? false }

  var operationName: String {
    get { recorded?.operationName ?? "" }
    nonmutating set { recorded?.operationName = newValue }
  }

  var attributes: SpanAttributes {
    get { recorded?.attributes ?? [:] }
    nonmutating set { recorded?.attributes = newValue }
  }

  func setStatus(_ status: SpanStatus) { recorded?.setStatus(status) }
  func addEvent(_ event: SpanEvent) { recorded?.addEvent(event) }
  func addLink(_ link: SpanLink) { recorded?.addLink(link) }

  func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
    recorded?.recordError(error, attributes: attributes, at: instant())
  }

  func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) { recorded?.end(at: instant()) }
}
