public import Instrumentation
import OTel
public import Tracing
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
struct SamplingTracer<Base: Tracer>: Tracer {
  typealias Span = SampledSpan<Base.Span>

  let base: Base
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
  private func unsampledRoot() -> TraceContext? {
    if case .always = sampling.root { return nil }
    var ids = UnsampledIDs()
    let traceID = TraceID.random(using: &ids)
    guard !sampling.samples(traceID: traceID) else { return nil }
    return TraceContext(traceID: traceID, spanID: .random(using: &ids), flags: [], state: TraceState())
  }

  func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
  where Extract.Carrier == Carrier {
    guard propagates, let traceparent = extractor.extract(key: "traceparent", from: carrier),
          let remote = try? TraceContext(traceParentHeaderValue: traceparent, traceStateHeaderValue: extractor.extract(key: "tracestate", from: carrier))
    else { return }
    if !sampling.samples(remote: remote) {
      context[UnsampledTraceKey.self] = TraceContext(traceID: remote.traceID, spanID: remote.spanID, flags: [], state: remote.state)
    } else if remote.flags.contains(.sampled) {
      base.extract(carrier, into: &context, using: extractor)
    } else {
      // A plain sampler samples what the caller did not: swift-otel (`always_on`) follows the flag.
      let sampled = TraceContext(traceID: remote.traceID, spanID: remote.spanID, flags: .sampled, state: remote.state)
      base.extract(carrier, into: &context, using: SampledExtractor(base: extractor, traceparent: sampled.traceParentHeaderValue))
    }
  }

  func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
  where Inject.Carrier == Carrier {
    guard let unsampled = context[UnsampledTraceKey.self] else {
      base.inject(context, into: &carrier, using: injector)
      return
    }
    guard propagates else { return }
    injector.inject(unsampled.traceParentHeaderValue, forKey: "traceparent", into: &carrier)
    if let state = unsampled.traceStateHeaderValue { injector.inject(state, forKey: "tracestate", into: &carrier) }
  }

  @available(*, deprecated)
  func forceFlush() { base.forceFlush() }
}

/// The trace context of a trace that is not recorded (``SamplingTracer``).
enum UnsampledTraceKey: ServiceContextKey {
  typealias Value = TraceContext
  static let nameOverride: String? = "synse-unsampled-trace"
}

/// A caller's `traceparent` with the `sampled` flag set, its other headers as they came.
private struct SampledExtractor<Base: Extractor>: Extractor {
  let base: Base
  let traceparent: String

  func extract(key: String, from carrier: Base.Carrier) -> String? {
    key == "traceparent" ? traceparent : base.extract(key: key, from: carrier)
  }
}

/// A span of ``SamplingTracer``: swift-otel's when sampled, else one that records nothing and
/// carries its trace context (`ServiceContext`, with ``UnsampledTraceKey``) to its children.
struct SampledSpan<Base: Tracing.Span>: Tracing.Span {
  private let recorded: Base?
  private let unrecordedContext: ServiceContext

  init(recorded: Base) {
    self.recorded = recorded
    unrecordedContext = .topLevel
  }

  init(unrecorded context: ServiceContext) {
    recorded = nil
    unrecordedContext = context
  }

  var context: ServiceContext { recorded?.context ?? unrecordedContext }
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
