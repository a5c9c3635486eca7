import CoreMetrics

extension ServerMetrics {
  /// One announced health change (`alarm.raised`, `alarm.changed`, `alarm.cleared`) and the
  /// state it led to: `synse_alarm_transitions_total{event, severity}`.
  func alarmTransition(_ event: String, severity: String) {
    Counter(label: "synse_alarm_transitions_total", dimensions: [("event", event), ("severity", severity)], factory: factory).increment()
  }

  /// Every `event`/`severity` pair a transition can have, at 0 from the start: Prometheus'
  /// `increase()` and `rate()` miss a counter's first increment when its series only appears
  /// with it, so the first alarm of a pair would not count in an alert on transitions.
  func alarmTransitionsAtZero() {
    let raisedOrChanged = ["warning", "critical", "fatal", "unknown"]
    let pairs = raisedOrChanged.map { ("alarm.raised", $0) } + raisedOrChanged.map { ("alarm.changed", $0) } + [("alarm.cleared", "ok")]
    for (event, severity) in pairs {
      _ = Counter(label: "synse_alarm_transitions_total", dimensions: [("event", event), ("severity", severity)], factory: factory)
    }
  }
}
