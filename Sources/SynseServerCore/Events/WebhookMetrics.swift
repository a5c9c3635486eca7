import CoreMetrics

/// The webhook counters, labelled `destination` (``WebhookDestination/name``). Every event a
/// destination's filter passes ends in exactly one of deliveries, failures or dropped (or is
/// still waiting), so the three add up to what was sent its way.
extension ServerMetrics {
  /// `synse_webhook_deliveries_total`: events the receiver answered with a 2xx.
  func webhookDelivered(_ destination: String) {
    Counter(label: "synse_webhook_deliveries_total", dimensions: [("destination", destination)], factory: factory).increment()
  }

  /// `synse_webhook_failures_total`: events given up because the receiver refused them (a
  /// 3xx or 4xx other than 408 and 429), not retried.
  func webhookFailed(_ destination: String) {
    Counter(label: "synse_webhook_failures_total", dimensions: [("destination", destination)], factory: factory).increment()
  }

  /// `synse_webhook_dropped_total`: events dropped unsent because the destination fell more
  /// than `queue_size` events (or the whole event journal) behind.
  func webhookDropped(_ destination: String, count: Int) {
    Counter(label: "synse_webhook_dropped_total", dimensions: [("destination", destination)], factory: factory).increment(by: count)
  }

  /// `synse_webhook_retries_total`: attempts that failed and will be retried (5xx, 408, 429,
  /// timeouts, connection errors): a receiver that is down shows here first.
  func webhookRetried(_ destination: String) {
    Counter(label: "synse_webhook_retries_total", dimensions: [("destination", destination)], factory: factory).increment()
  }

  /// Every counter of `destination` at 0 from the start, so `increase()` sees the first one.
  func webhookCountersAtZero(_ destination: String) {
    for label in ["synse_webhook_deliveries_total", "synse_webhook_failures_total", "synse_webhook_dropped_total", "synse_webhook_retries_total"] {
      _ = Counter(label: label, dimensions: [("destination", destination)], factory: factory)
    }
  }
}
