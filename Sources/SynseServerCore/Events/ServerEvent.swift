public import NIOCore
import SynseSupport

/// One event of the server's event feed (issue 17; docs/health.md "Events"): what SSE
/// `/v3/events`, the WebSocket `request/event_stream` and webhooks deliver.
///
/// `data` is the JSON object sent as SSE `data:` and as a webhook body, rendered once:
/// `{"id": 7, "event": "alarm.raised", "time": "2026-11-30T12:00:00Z", …fields}`, where the
/// fields depend on the kind (device, reading type, severity, value, threshold for alarms; the
/// transaction for `transaction.finished`; the plugin for `plugin.*`).
public struct ServerEvent: Sendable {
  /// The SSE `event:` names.
  public enum Kind: String, Sendable, CaseIterable, Hashable {
    case alarmRaised = "alarm.raised"
    case alarmChanged = "alarm.changed"
    case alarmCleared = "alarm.cleared"
    case transactionFinished = "transaction.finished"
    case pluginActive = "plugin.active"
    case pluginInactive = "plugin.inactive"
  }

  /// Monotonic from 1 within one server run (SSE `id:`, `Last-Event-ID`).
  public let id: UInt64
  public let kind: Kind
  /// The sensor's state after an alarm event (`ok` for `alarm.cleared`); nil for other kinds.
  public let severity: HealthState?
  public let device: String?
  public let plugin: String?
  /// The device's tags as `namespace/annotation:label` strings, for tag filters.
  public let tags: Set<String>
  /// The `data:` object, compact.
  public let data: JSONFragment
  /// The whole SSE frame (`id:`, `event:`, `data:`), rendered once for every subscriber.
  public let frame: ByteBuffer

  init(id: UInt64, kind: Kind, severity: HealthState?, device: String?, plugin: String?, tags: Set<String>, data: JSONFragment) {
    self.id = id
    self.kind = kind
    self.severity = severity
    self.device = device
    self.plugin = plugin
    self.tags = tags
    self.data = data
    frame = SSEFrame.render(id: id, kind: kind, data: data)
  }
}
