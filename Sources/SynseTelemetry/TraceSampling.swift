import Synchronization
import W3CTraceContext

/// The `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` decision (OpenTelemetry SDK
/// specification, "Sampling": `always_on`, `always_off`, `traceidratio` and their
/// `parentbased_` forms), made by ``SamplingTracer`` before a span exists.
///
/// - A root (no parent) is sampled with the sampler's probability. One that is not sampled
///   carries a trace ID that fails the `TraceIdRatioBased` rule (its last 8 bytes, big-endian,
///   below `ratio × 2⁶⁴`, as the Go and Python SDKs read them), so a peer running a plain
///   `traceidratio` sampler drops it too. One that is sampled gets swift-otel's own trace ID,
///   which such a peer keeps with the ratio's probability only: plugins should stay
///   parent-based (the default).
/// - A remote parent (a `traceparent` received) decides under `parentbased_*` by its `sampled`
///   flag; under a plain sampler by the root rule on its trace ID.
/// - A local parent always decides for its children, so a trace started here is recorded whole
///   or not at all.
public struct TraceSampling: Sendable, Equatable {
  enum Root: Sendable, Equatable {
    case always, never
    /// Sampled when the trace ID's last 8 bytes are below this bound.
    case ratio(UInt64)
  }

  let root: Root
  let parentBased: Bool

  /// - Parameters:
  ///   - sampler: `OTEL_TRACES_SAMPLER`, in any case; `parentbased_always_on` when unset, as
  ///     the specification says. Values ``OTelEnvironment`` refuses never reach here.
  ///   - argument: `OTEL_TRACES_SAMPLER_ARG`, the ratio of a `traceidratio` sampler (1 when
  ///     unset); ignored by the other samplers.
  public init(sampler: String?, argument: String?) {
    let name = sampler.flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? "parentbased_always_on"
    parentBased = name.hasPrefix("parentbased_")
    switch name.dropFirst(parentBased ? "parentbased_".count : 0) {
    case "always_off": root = .never
    case "traceidratio":
      let ratio = min(max(argument.flatMap { Double($0) } ?? 1, 0), 1)
      root = ratio == 0 ? .never : ratio == 1 ? .always : .ratio(UInt64(ratio * 0x1p64))
    default: root = .always
    }
  }

  /// Whether a trace with no parent, or one whose parent's decision a plain sampler ignores, is sampled.
  func samples(traceID: TraceID) -> Bool {
    switch root {
    case .always: true
    case .never: false
    case .ratio(let bound):
      UInt64(bigEndian: traceID.withSpan { $0.bytes.unsafeLoadUnaligned(fromByteOffset: 8, as: UInt64.self) }) < bound
    }
  }

  /// Whether a span continuing a caller's `traceparent` is sampled.
  func samples(remote parent: TraceContext) -> Bool {
    parentBased ? parent.flags.contains(.sampled) : samples(traceID: parent.traceID)
  }
}

/// Trace and span IDs for traces that are not recorded: SplitMix64 (Steele, Lea, Flood 2014)
/// over one atomic counter seeded from the system's generator. IDs only have to be unique
/// enough to tell log lines apart; the system generator (`getrandom`) per request cost more
/// than the rest of an unsampled request's tracing.
struct UnsampledIDs: RandomNumberGenerator {
  private static let state = Atomic<UInt64>(UInt64.random(in: .min ... .max))

  mutating func next() -> UInt64 {
    var z = Self.state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
