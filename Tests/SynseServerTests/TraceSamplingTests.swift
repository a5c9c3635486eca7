import Instrumentation
import Logging
import Testing
import Tracing
import W3CTraceContext
@testable import SynseTelemetry

/// `OTEL_TRACES_SAMPLER` decided in front of swift-otel (SamplingTracer): what is sampled is a
/// swift-otel span; what is not records nothing and still carries its W3C trace context
/// (`traceparent` flag `00`) to plugin calls and log lines.
struct TraceSamplingTests {
  /// A trace ID whose last 8 bytes (big-endian, as the Go and Python SDKs read them) are `low`.
  static func traceID(low: UInt64) -> TraceID {
    var id = TraceID.null
    id.withMutableSpan { span in span.withUnsafeMutableBytes { $0.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self) } }
    return id
  }

  static func remote(_ traceID: TraceID, sampled: Bool) -> TraceContext {
    TraceContext(traceID: traceID, spanID: SpanID(bytes: (0, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7)), flags: sampled ? .sampled : [], state: TraceState())
  }

  @Test func samplerNamesAndRatios() {
    #expect(TraceSampling(sampler: nil, argument: nil) == TraceSampling(sampler: "parentbased_always_on", argument: nil))
    #expect(TraceSampling(sampler: nil, argument: nil).root == .always)
    #expect(TraceSampling(sampler: "always_off", argument: nil).root == .never)
    #expect(TraceSampling(sampler: "parentbased_traceidratio", argument: "0").root == .never)
    #expect(TraceSampling(sampler: "traceidratio", argument: nil).root == .always)  // the argument is 1 by default
    #expect(TraceSampling(sampler: "ParentBased_TraceIdRatio", argument: "0") == TraceSampling(sampler: "parentbased_traceidratio", argument: "0"))
    #expect(TraceSampling(sampler: "always_on", argument: "0.5").root == .always)  // an argument it does not take
    let half = TraceSampling(sampler: "traceidratio", argument: "0.5")
    #expect(!half.parentBased)
    #expect(half.samples(traceID: Self.traceID(low: 1)))
    #expect(half.samples(traceID: Self.traceID(low: UInt64.max / 2 - 1)))
    #expect(!half.samples(traceID: Self.traceID(low: UInt64.max / 2 + 2)))
    #expect(!half.samples(traceID: Self.traceID(low: .max)))
  }

  @Test func remoteParents() {
    let low = Self.traceID(low: 1), high = Self.traceID(low: .max)
    let parentBased = TraceSampling(sampler: "parentbased_traceidratio", argument: "0.5")
    // Parent-based: the caller's flag, whatever the trace ID.
    #expect(parentBased.samples(remote: Self.remote(high, sampled: true)))
    #expect(!parentBased.samples(remote: Self.remote(low, sampled: false)))
    // Plain: the trace ID, whatever the flag.
    let plain = TraceSampling(sampler: "traceidratio", argument: "0.5")
    #expect(plain.samples(remote: Self.remote(low, sampled: false)))
    #expect(!plain.samples(remote: Self.remote(high, sampled: true)))
    #expect(TraceSampling(sampler: "always_on", argument: nil).samples(remote: Self.remote(high, sampled: false)))
    #expect(!TraceSampling(sampler: "parentbased_always_on", argument: nil).samples(remote: Self.remote(high, sampled: false)))
  }

  /// A real swift-otel backend behind the sampler (its exports go nowhere: no service runs).
  static func tracer(_ sampler: String, _ argument: String? = nil, propagators: String? = nil) throws -> any Tracer {
    var environment = ["OTEL_TRACES_SAMPLER": sampler]
    environment["OTEL_TRACES_SAMPLER_ARG"] = argument
    environment["OTEL_PROPAGATORS"] = propagators
    return try Telemetry(serviceName: "trace-sampling-test", attributes: [:], environment: environment).tracer
  }

  struct Headers: Injector, Extractor {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
  }

  static func traceparent(_ tracer: any Tracer, _ context: ServiceContext) -> String? {
    var headers: [String: String] = [:]
    tracer.inject(context, into: &headers, using: Headers())
    return headers["traceparent"]
  }

  static func continuing(_ tracer: any Tracer, _ traceparent: String) -> ServiceContext {
    var context = ServiceContext.topLevel
    tracer.extract(["traceparent": traceparent], into: &context, using: Headers())
    return context
  }

  @Test func anUnsampledRootCarriesAnUnsampledTraceparentToItsChildren() throws {
    let tracer = try Self.tracer("parentbased_traceidratio", "0")
    let root = tracer.startSpan("GET /v3/read", context: .topLevel, ofKind: .server)
    #expect(!root.isRecording)
    let header = try #require(Self.traceparent(tracer, root.context))
    let parsed = try TraceContext(traceParentHeaderValue: header)
    #expect(parsed.flags == [] && parsed.traceID != .null)
    let child = tracer.startSpan("synse.V3Plugin/Read", context: root.context, ofKind: .client)
    #expect(!child.isRecording)
    #expect(Self.traceparent(tracer, child.context) == header)
    // Another root is another trace.
    let other = tracer.startSpan("GET /v3/read", context: .topLevel, ofKind: .server)
    #expect(Self.traceparent(tracer, other.context).map { try? TraceContext(traceParentHeaderValue: $0).traceID } != parsed.traceID)
    // And its log lines name the trace.
    let metadata = ServiceContext.withValue(child.context) { Telemetry.metadataProvider.get() }
    #expect(metadata["trace_id"] == "\(parsed.traceID)" && metadata["span_id"] == "\(parsed.spanID)" && metadata["trace_flags"] == "0")
  }

  @Test func aCallersDecisionIsFollowedUnderParentBasedSamplers() throws {
    let tracer = try Self.tracer("parentbased_traceidratio", "0")
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    let sampled = tracer.startSpan("GET /v3/read", context: Self.continuing(tracer, "00-\(trace)-00f067aa0ba902b7-01"), ofKind: .server)
    #expect(sampled.isRecording)
    let child = tracer.startSpan("synse.V3Plugin/Read", context: sampled.context, ofKind: .client)
    #expect(child.isRecording)
    let header = try #require(Self.traceparent(tracer, child.context))
    #expect(header.hasPrefix("00-\(trace)-") && header.hasSuffix("-01") && !header.contains("00f067aa0ba902b7"))
    let metadata = ServiceContext.withValue(child.context) { Telemetry.metadataProvider.get() }
    #expect(metadata["trace_id"] == "\(trace)" && metadata["trace_flags"] == "1")
    sampled.end()
    child.end()

    let unsampled = tracer.startSpan("GET /v3/read", context: Self.continuing(tracer, "00-\(trace)-00f067aa0ba902b7-00"), ofKind: .server)
    #expect(!unsampled.isRecording)
    #expect(Self.traceparent(tracer, unsampled.context) == "00-\(trace)-00f067aa0ba902b7-00")
    // A caller's tracestate goes on with its trace.
    var context = ServiceContext.topLevel
    tracer.extract(["traceparent": "00-\(trace)-00f067aa0ba902b7-00", "tracestate": "rojo=00f067aa0ba902b7"], into: &context, using: Headers())
    var headers: [String: String] = [:]
    tracer.inject(tracer.startSpan("a", context: context, ofKind: .client).context, into: &headers, using: Headers())
    #expect(headers == ["traceparent": "00-\(trace)-00f067aa0ba902b7-00", "tracestate": "rojo=00f067aa0ba902b7"])
  }

  @Test func aPlainSamplerDecidesAgainWhatTheCallerDecided() throws {
    // Bytes 8–15 of the trace ID, big-endian: 1 and the most.
    let low = "00000000000000000000000000000001", high = "0000000000000000ffffffffffffffff"
    let plain = try Self.tracer("traceidratio", "0.5")
    #expect(plain.startSpan("a", context: Self.continuing(plain, "00-\(low)-00f067aa0ba902b7-00"), ofKind: .server).isRecording)
    #expect(!plain.startSpan("a", context: Self.continuing(plain, "00-\(high)-00f067aa0ba902b7-01"), ofKind: .server).isRecording)
    let on = try Self.tracer("always_on")
    let forced = on.startSpan("a", context: Self.continuing(on, "00-\(high)-00f067aa0ba902b7-00"), ofKind: .server)
    #expect(forced.isRecording)
    #expect(Self.traceparent(on, forced.context)?.hasPrefix("00-\(high)-") == true)
    forced.end()
  }

  @Test func aBadTracestateIsDroppedAndItsTraceparentFollowed() throws {
    let tracer = try Self.tracer("parentbased_always_off")
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    for state in ["!!garbage==,,=", "A=1", "k=" + String(repeating: "v", count: 10_000)] {
      var context = ServiceContext.topLevel
      tracer.extract(["traceparent": "00-\(trace)-00f067aa0ba902b7-01", "tracestate": state], into: &context, using: Headers())
      let span = tracer.startSpan("a", context: context, ofKind: .server)
      #expect(span.isRecording, "tracestate \(state.prefix(20))")
      var headers: [String: String] = [:]
      tracer.inject(span.context, into: &headers, using: Headers())
      #expect(headers["traceparent"]?.hasPrefix("00-\(trace)-") == true && headers["tracestate"] == nil)
      span.end()
    }
  }

  @Test(arguments: [
    ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", true),
    ("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true),
    ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false),
    ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", false),
    ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", false),
  ])
  func laterTraceparentVersionsAreReadAsVersion00(traceparent: String, followed: Bool) throws {
    // W3C Trace Context §3.2.4: a later version's first four fields; version ff is invalid.
    let tracer = try Self.tracer("parentbased_always_off")
    let span = tracer.startSpan("a", context: Self.continuing(tracer, traceparent), ofKind: .server)
    #expect(span.isRecording == followed)
    span.end()
  }

  @Test func aRatioSamplesAboutItsShareOfRoots() throws {
    let tracer = try Self.tracer("parentbased_traceidratio", "0.25")
    var recorded = 0
    for _ in 0..<4000 {
      let span = tracer.startSpan("GET /v3/read", context: .topLevel, ofKind: .server)
      if span.isRecording { recorded += 1 }
      span.end()
    }
    // Binomial(4000, 0.25): mean 1000, standard deviation 27.
    #expect((850...1150).contains(recorded), "\(recorded) of 4000 sampled")
  }

  @Test func withoutTraceContextPropagationNothingIsCarried() throws {
    let tracer = try Self.tracer("parentbased_always_off", propagators: "none")
    let root = tracer.startSpan("GET /v3/read", context: .topLevel, ofKind: .server)
    #expect(!root.isRecording)
    #expect(Self.traceparent(tracer, root.context) == nil)
    let continued = tracer.startSpan("a", context: Self.continuing(tracer, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), ofKind: .server)
    #expect(!continued.isRecording)
  }
}
