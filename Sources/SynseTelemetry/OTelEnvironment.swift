import Foundation
import SynseSupport

/// The `OTEL_*` variables checked before swift-otel reads them (OpenTelemetry "SDK environment
/// variables" and "OTLP exporter configuration"): swift-otel stops the process on a sampler or
/// propagator it lacks, fails every export on an endpoint it cannot use, and exports in a tight
/// loop at an interval of 0. Each problem names the variable as it was set and what it takes.
enum OTelEnvironment {
  static let samplers = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"]
  static let signals = ["TRACES", "METRICS", "LOGS"]
  /// What swift-otel 1.6 implements per signal (it throws "Not implemented" for the rest).
  static let exporters = ["TRACES": ["otlp", "none"], "METRICS": ["otlp", "none"], "LOGS": ["otlp", "console", "none"]]
  static let durations = [
    "OTEL_METRIC_EXPORT_INTERVAL", "OTEL_METRIC_EXPORT_TIMEOUT", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT",
    "OTEL_BLRP_SCHEDULE_DELAY", "OTEL_BLRP_EXPORT_TIMEOUT",
  ]
  static let sizes = ["OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_BLRP_MAX_QUEUE_SIZE", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE"]

  /// `OTEL_EXPORTER_OTLP_<suffix>` and its per-signal forms (`OTEL_EXPORTER_OTLP_TRACES_<suffix>`, …).
  static func exporterKeys(_ suffix: String) -> [String] {
    ["OTEL_EXPORTER_OTLP_\(suffix)"] + signals.map { "OTEL_EXPORTER_OTLP_\($0)_\(suffix)" }
  }

  /// Every problem with `environment`'s `OTEL_*` variables (empty ones count as unset, as the
  /// specification says), one sentence each.
  static func problems(_ environment: [String: String]) -> [String] {
    let set = environment.filter { $0.key.hasPrefix("OTEL_") && !$0.value.isEmpty }
    var problems: [String] = []
    func check(_ key: String, _ takes: String, _ accepts: (String) -> Bool) {
      guard let value = set[key], !accepts(value) else { return }
      problems.append("\(key)='\(Self.withoutUserInfo(value))' cannot be used: it takes \(takes)")
    }
    check("OTEL_TRACES_SAMPLER", "one of \(samplers.joined(separator: ", ")) (swift-otel has no other sampler)") {
      samplers.contains($0.lowercased())
    }
    // An argument a sampler does not take is ignored, as the specification says.
    if (set["OTEL_TRACES_SAMPLER"] ?? "").lowercased().hasSuffix("traceidratio") {
      check("OTEL_TRACES_SAMPLER_ARG", "a sampling probability from 0 to 1") { Double($0).map { (0...1).contains($0) } ?? false }
    }
    check("OTEL_PROPAGATORS", "tracecontext or none (swift-otel has no other propagator)") { value in
      value.split(separator: ",").allSatisfy { ["tracecontext", "none"].contains($0.trimmingCharacters(in: .whitespaces)) }
    }
    for signal in signals {
      let accepted = exporters[signal]!
      check("OTEL_\(signal)_EXPORTER", "one of \(accepted.joined(separator: ", ")) (what swift-otel implements)") { accepted.contains($0) }
    }
    for key in exporterKeys("PROTOCOL") {
      check(key, "grpc, http/protobuf or http/json") { ["grpc", "http/protobuf", "http/json"].contains($0) }
    }
    for key in exporterKeys("COMPRESSION") { check(key, "gzip or none") { ["gzip", "none"].contains($0) } }
    for key in exporterKeys("ENDPOINT") {
      // No user info, as for webhooks and Redfish endpoints: swift-otel logs the endpoint at startup.
      check(key, "an http:// or https:// URL with a host, no user info, and if any a port from 1 to 65535 (http://collector:4318)") { text in
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else { return false }
        return !(url.host ?? "").isEmpty && url.user == nil && url.password == nil && HostPort.hasDialablePort(url: text)
      }
    }
    for key in durations + exporterKeys("TIMEOUT") {
      check(key, "a positive whole number of milliseconds") { (Int($0) ?? 0) > 0 }
    }
    for key in sizes { check(key, "a positive whole number") { (Int($0) ?? 0) > 0 } }
    for processor in ["BSP", "BLRP"] {
      if let batch = set["OTEL_\(processor)_MAX_EXPORT_BATCH_SIZE"].flatMap({ Int($0) }), let queue = set["OTEL_\(processor)_MAX_QUEUE_SIZE"].flatMap({ Int($0) }),
         batch > queue {
        problems.append("OTEL_\(processor)_MAX_EXPORT_BATCH_SIZE='\(batch)' cannot be used: it must not exceed OTEL_\(processor)_MAX_QUEUE_SIZE (\(queue))")
      }
    }
    for key in exporterKeys("CERTIFICATE") + exporterKeys("CLIENT_KEY") + exporterKeys("CLIENT_CERTIFICATE") {
      check(key, "the path of a readable PEM file") { path in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
          && FileManager.default.isReadableFile(atPath: path)
      }
    }
    check("OTEL_SDK_DISABLED", "true or false") { ["true", "false"].contains($0.lowercased()) }
    check("OTEL_RESOURCE_ATTRIBUTES", "comma-separated key=value pairs, each key named") { value in
      value.split(separator: ",").allSatisfy { pair in
        guard let equals = pair.firstIndex(of: "=") else { return false }
        return !pair[..<equals].trimmingCharacters(in: .whitespaces).isEmpty
      }
    }
    return problems
  }

  /// The keys `OTEL_RESOURCE_ATTRIBUTES` sets (percent-decoded, as the specification encodes them).
  static func resourceAttributeKeys(_ environment: [String: String]) -> Set<String> {
    guard let value = environment["OTEL_RESOURCE_ATTRIBUTES"], !value.isEmpty else { return [] }
    return Set(value.split(separator: ",").compactMap { pair in
      pair.split(separator: "=", maxSplits: 1).first.map { key in
        let trimmed = key.trimmingCharacters(in: .whitespaces)
        return trimmed.removingPercentEncoding ?? trimmed
      }
    })
  }

  /// Whether `OTEL_SDK_DISABLED` turns every signal off.
  static func isDisabled(_ environment: [String: String]) -> Bool {
    environment["OTEL_SDK_DISABLED"]?.lowercased() == "true"
  }

  /// Runs `body` with `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` unset in the process
  /// environment, which swift-otel reads over its configuration: its sampler would decide
  /// again what ``SamplingTracer`` sampled (a ratio r applied twice samples r²), and it refuses
  /// an argument its sampler does not take, or a sampler name in capitals.
  static func withoutSampler<Result>(_ body: () throws -> Result) rethrows -> Result {
    let keys = ["OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"]
    let saved = keys.map { key in getenv(key).map { String(cString: $0) } }
    for key in keys { unsetenv(key) }
    defer {
      for (key, value) in zip(keys, saved) { if let value { setenv(key, value, 1) } }
    }
    return try body()
  }

  /// Unsets the process's empty `OTEL_*` variables, which swift-otel (reading the process
  /// environment itself) would take as values: an empty `OTEL_EXPORTER_OTLP_ENDPOINT` as an
  /// endpoint without a scheme rather than the default.
  static func unsetEmptyVariables() {
    for (key, value) in ProcessInfo.processInfo.environment where key.hasPrefix("OTEL_") && value.isEmpty {
      unsetenv(key)
    }
  }

  /// `value` with a URL's user info shown as `…`, so a refused endpoint's password is not printed.
  static func withoutUserInfo(_ value: String) -> String {
    guard let authority = HostPort.authority(inURL: value), let at = authority.lastIndex(of: "@") else { return value }
    return String(value[..<authority.startIndex]) + "…" + value[at...]
  }
}
