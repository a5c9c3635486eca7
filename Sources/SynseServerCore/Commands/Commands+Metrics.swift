import Foundation
import ProcessMetrics
import SynseTelemetry

extension Commands {
  /// The `/metrics` body: application metrics, build info, process metrics, sensor health
  /// (when `health.enabled`) and, when `metrics.readings` is on, every device's current reading
  /// and each plugin's part in the scrape; every family name behind `metrics.prefix`.
  public func metricsExposition(_ metrics: ServerMetrics) async -> [UInt8] {
    var body = MetricsExposition.render(metrics)
    body += Array(ScrapeMetrics.buildInfo(version: Self.serverVersion, apiVersion: ServerVersion(version: Self.serverVersion).apiVersion).utf8)
    body += Array(ProcessMetrics.exposition().utf8)
    if live.monitor.enabled { body += Array(HealthMetrics.render(live.monitor.sensors, devices: devices).utf8) }
    if let failures = metrics.exportFailures { body += Array(ScrapeMetrics.exportFailures(failures.snapshot).utf8) }
    if configuration.metrics.readings {
      let scrapes = await currentReadings(timeout: configuration.metrics.readingsTimeout)
      body += Array(ReadingMetrics.render(scrapes.compactMap { scrape in scrape.readings.map { (scrape.plugin, $0) } }, devices: devices, naming: configuration.metrics.readingsNaming).utf8)
      body += Array(ScrapeMetrics.render(scrapes.map { .init(plugin: $0.plugin, success: $0.readings != nil, seconds: $0.seconds) }).utf8)
    }
    return ScrapeMetrics.prefixed(body, with: configuration.metrics.prefix)
  }

  /// Each active plugin asked once, in parallel; a plugin that fails or misses the deadline has
  /// no readings in this scrape (nor has an inactive one, not asked): its
  /// `synse_readings_scrape_success` is 0.
  func currentReadings(timeout: Duration) async -> [(plugin: String, readings: [ReadingRecord]?, seconds: Double)] {
    let plugins = registry.plugins.filter { !$0.disabled }
    let answers = await withTaskGroup(of: (Int, [ReadingRecord]?, Double).self) { group in
      for (position, plugin) in plugins.enumerated() where plugin.active {
        group.addTask {
          let started = ContinuousClock.now
          let first = await withTaskGroup(of: [ReadingRecord]?.self) { race in
            race.addTask { try? await plugin.client.read(deviceID: "", tags: []) }
            race.addTask { try? await Task.sleep(for: timeout); return nil }
            let first = await race.next() ?? nil
            race.cancelAll()
            return first
          }
          let elapsed = (ContinuousClock.now - started).components
          return (position, first, Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
        }
      }
      var answers: [Int: ([ReadingRecord]?, Double)] = [:]
      for await (position, readings, seconds) in group { answers[position] = (readings, seconds) }
      return answers
    }
    return plugins.enumerated().map { position, plugin in (plugin.id, answers[position]?.0, answers[position]?.1 ?? 0) }
  }
}
