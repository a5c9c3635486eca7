import Foundation
import ProcessMetrics

extension Commands {
  /// The `/metrics` body: application metrics, process metrics, sensor health (when
  /// `health.enabled`) and, when `metrics.readings` is on, every device's current reading.
  public func metricsExposition(_ metrics: ServerMetrics) async -> [UInt8] {
    var body = MetricsExposition.render(metrics)
    body += Array(ProcessMetrics.exposition().utf8)
    if live.monitor.enabled { body += Array(HealthMetrics.render(live.monitor.sensors, devices: devices).utf8) }
    if configuration.metrics.readings {
      body += Array(ReadingMetrics.render(await currentReadings(timeout: configuration.metrics.readingsTimeout), devices: devices).utf8)
    }
    return body
  }

  /// Each active plugin asked once, in parallel; a plugin that fails or misses the deadline
  /// is left out of this scrape (its state shows in `synse_plugin_active_state`).
  func currentReadings(timeout: Duration) async -> [(plugin: String, readings: [ReadingRecord])] {
    let plugins = registry.plugins.filter { $0.active && !$0.disabled }
    let answers = await withTaskGroup(of: (Int, [ReadingRecord]?).self) { group in
      for (position, plugin) in plugins.enumerated() {
        group.addTask {
          await withTaskGroup(of: [ReadingRecord]?.self) { race in
            race.addTask { try? await plugin.client.read(deviceID: "", tags: []) }
            race.addTask { try? await Task.sleep(for: timeout); return nil }
            let first = await race.next() ?? nil
            race.cancelAll()
            return (position, first)
          }
        }
      }
      var answers: [(Int, [ReadingRecord]?)] = []
      for await answer in group { answers.append(answer) }
      return answers.sorted { $0.0 < $1.0 }
    }
    return answers.compactMap { position, readings in readings.map { (plugins[position].id, $0) } }
  }
}
