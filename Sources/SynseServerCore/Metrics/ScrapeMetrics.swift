/// `/metrics` families about the exporter itself, in the conventions of Prometheus' own
/// exporters (issue 21): `synse_build_info`, and per plugin whether this scrape's readings came
/// (`synse_readings_scrape_success`, node_exporter's `node_scrape_collector_success` pattern)
/// and how long asking took (`synse_readings_scrape_duration_seconds`), so a slow or dead
/// plugin shows as such instead of as missing series.
enum ScrapeMetrics {
  /// One plugin's part of a scrape: `seconds` is 0 for a plugin not asked (inactive).
  struct PluginScrape {
    var plugin: String
    var success: Bool
    var seconds: Double
  }

  static func buildInfo(version: String, apiVersion: String) -> String {
    """
    # HELP synse_build_info A metric with a constant 1 labelled by the server's version and API version.
    # TYPE synse_build_info gauge
    synse_build_info{version="\(ReadingMetrics.escape(version))",api_version="\(ReadingMetrics.escape(apiVersion))"} 1

    """
  }

  static func render(_ scrapes: [PluginScrape]) -> String {
    var text = """
      # HELP synse_readings_scrape_success 1 when the plugin answered this scrape's readings request within metrics.readings_timeout, 0 when it failed, timed out or is inactive.
      # TYPE synse_readings_scrape_success gauge

      """
    for scrape in scrapes { text += "synse_readings_scrape_success{plugin=\"\(ReadingMetrics.escape(scrape.plugin))\"} \(scrape.success ? 1 : 0)\n" }
    text += """
      # HELP synse_readings_scrape_duration_seconds Seconds this scrape waited for the plugin's readings (0 for an inactive plugin, not asked).
      # TYPE synse_readings_scrape_duration_seconds gauge

      """
    for scrape in scrapes { text += "synse_readings_scrape_duration_seconds{plugin=\"\(ReadingMetrics.escape(scrape.plugin))\"} \(scrape.seconds)\n" }
    return text
  }

  /// `synse_otel_export_failures_total` and `synse_otel_dropped_total` by `signal` (with
  /// `otel.enabled`): exports that failed after swift-otel's retries, and times a full queue
  /// dropped spans or log records; the API never waits on either.
  static func exportFailures(_ counts: [(signal: String, failed: Int, dropped: Int)]) -> String {
    var text = "# HELP synse_otel_export_failures_total OTLP exports that failed (receiver down or refusing), by signal.\n"
      + "# TYPE synse_otel_export_failures_total counter\n"
    for entry in counts { text += "synse_otel_export_failures_total{signal=\"\(entry.signal)\"} \(entry.failed)\n" }
    text += "# HELP synse_otel_dropped_total Times OTLP export queues were full and dropped spans or log records, by signal.\n"
      + "# TYPE synse_otel_dropped_total counter\n"
    for entry in counts { text += "synse_otel_dropped_total{signal=\"\(entry.signal)\"} \(entry.dropped)\n" }
    return text
  }

  /// `body` with `prefix` before the name of every family: on `# HELP` and `# TYPE` lines and
  /// every sample (`metrics.prefix`, for a Prometheus shared with other servers' metrics).
  static func prefixed(_ body: [UInt8], with prefix: String) -> [UInt8] {
    guard !prefix.isEmpty else { return body }
    let name = Array(prefix.utf8)
    var result: [UInt8] = []
    result.reserveCapacity(body.count + body.count / 20)
    for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      if line.starts(with: "# HELP ".utf8) || line.starts(with: "# TYPE ".utf8) {
        result += line.prefix(7) + name + line.dropFirst(7)
      } else if let first = line.first, first != UInt8(ascii: "#") {
        result += name + line
      } else {
        result += line
      }
      result.append(UInt8(ascii: "\n"))
    }
    if !result.isEmpty { result.removeLast() }
    return result
  }
}
