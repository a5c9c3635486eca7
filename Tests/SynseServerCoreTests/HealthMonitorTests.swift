import Logging
import NIOCore
import Testing
@testable import SynseServerCore
import SynseSupport

/// ``HealthMonitor`` over a real ``DeviceCache`` filled from a ``FakePlugin`` whose devices
/// declare thresholds in their metadata: what is published, what `/v3/alarms` lists, and what
/// happens when a sensor goes stale or its thresholds change.
struct HealthMonitorTests {
  static let hot = #"{"temperature": {"UpperCaution": {"Reading": 80}, "UpperCritical": {"Reading": 90}}}"#

  static func device(_ id: String, thresholds: String?) -> DeviceRecord {
    var device = FakePlugin.device(id, plugin: "p", tags: ["default/rack:1"])
    if let thresholds { device.metadata = [(ThresholdsMetadata.key, thresholds)] }
    return device
  }

  /// A server whose plugin `p` has `t1` (thresholds), `t2` (none), and its monitor.
  static func setUp(unknownAfter: Int = 3) async throws -> (FakePluginServer, FakePlugin, HealthMonitor, EventJournal) {
    let plugin = FakePlugin(id: "p", devices: [device("t1", thresholds: hot), device("t2", thresholds: nil)])
    let server = try FakePluginServer(addresses: ["p:5001"], plugins: ["p:5001": plugin])
    try await server.start()
    let events = EventJournal(capacity: 100)
    let monitor = HealthMonitor(
      unknownAfter: unknownAfter, resolver: .none, devices: server.devices, events: events, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    return (server, plugin, monitor, events)
  }

  @Test func crossingsPublishAlarmEventsAndListAlarms() async throws {
    let (_, _, monitor, events) = try await Self.setUp()
    #expect(monitor.health(of: FakePlugin.reading("t1", 20)) == .unknown)  // thresholds, not evaluated yet
    #expect(monitor.health(of: FakePlugin.reading("t2", 20)) == nil)  // no thresholds
    #expect(monitor.observe(FakePlugin.reading("t1", 20), plugin: "p") == .ok)
    #expect(monitor.observe(FakePlugin.reading("t2", 99), plugin: "p") == nil)
    #expect(monitor.observe(FakePlugin.reading("t1", 85), plugin: "p") == .warning)
    #expect(monitor.observe(FakePlugin.reading("t1", 95), plugin: "p") == .critical)
    let alarms = monitor.alarms
    #expect(alarms.count == 1)
    #expect(alarms.first?.device == "t1" && alarms.first?.severity == .critical && alarms.first?.threshold == .upperCritical)
    #expect(alarms.first?.value == 95 && alarms.first?.thresholdReading == 90 && alarms.first?.tags.contains("default/rack:1") == true)
    #expect(monitor.observe(FakePlugin.reading("t1", 20), plugin: "p") == .ok)
    let published = events.events(after: 0).events
    #expect(published.map(\.kind) == [.alarmRaised, .alarmChanged, .alarmCleared])
    #expect(published.map(\.severity) == [.warning, .critical, .ok])
    #expect(published.allSatisfy { $0.device == "t1" && $0.plugin == "p" && $0.tags.contains("default/rack:1") })
    #expect(monitor.alarms.isEmpty)
  }

  /// A reading seen on another path than the live stream (a direct `Read`, a filtered read
  /// stream) before the live stream evaluates it: the health its value gives, not the state the
  /// reading before left, and nothing evaluated or published for it.
  @Test func aReadingNotYetEvaluatedShowsTheHealthItsValueGives() async throws {
    let (_, _, monitor, events) = try await Self.setUp()
    let (first, second) = ("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z")
    #expect(monitor.preview(FakePlugin.reading("t1", 95, timestamp: first)) == .unknown)  // not evaluated yet
    #expect(monitor.observe(FakePlugin.reading("t1", 20, timestamp: first), plugin: "p") == .ok)
    let hot = FakePlugin.reading("t1", 95, timestamp: second)
    #expect(monitor.preview(hot) == .critical)
    #expect(monitor.health(of: hot) == .ok)
    #expect(monitor.alarms.isEmpty && events.events(after: 0).events.isEmpty)
    #expect(monitor.preview(FakePlugin.reading("t1", 20, timestamp: first)) == .ok)  // the reading evaluated
    #expect(monitor.observe(hot, plugin: "p") == .critical)
    #expect(monitor.preview(hot) == .critical)
    #expect(monitor.preview(FakePlugin.reading("t1", 20, timestamp: "2026-01-01T00:00:02Z")) == .ok)
    #expect(events.events(after: 0).events.map(\.kind) == [.alarmRaised])
    #expect(monitor.preview(FakePlugin.reading("t2", 99)) == nil)  // no thresholds
    monitor.markUnknown(plugin: "p", reason: "gone")
    #expect(monitor.preview(FakePlugin.reading("t1", 20, timestamp: "2026-01-01T00:00:03Z")) == .unknown)
  }

  @Test func aSensorWithoutReadingsForItsIntervalsBecomesUnknownAndComesBack() async throws {
    let (_, _, monitor, events) = try await Self.setUp(unknownAfter: 1)
    _ = monitor.observe(FakePlugin.reading("t1", 20), plugin: "p")
    _ = monitor.observe(FakePlugin.reading("t1", 20), plugin: "p")  // interval known: at least 1 s
    monitor.sweep()
    #expect(monitor.alarms.isEmpty)
    try await Task.sleep(for: .milliseconds(1100))
    monitor.sweep()
    #expect(monitor.alarms.map(\.severity) == [.unknown])
    #expect(monitor.alarms.first?.message.contains("no reading for 1 read intervals") == true)
    #expect(monitor.observe(FakePlugin.reading("t1", 20), plugin: "p") == .ok)
    #expect(events.events(after: 0).events.map(\.kind) == [.alarmRaised, .alarmCleared])
  }

  @Test func aPluginWhoseStreamEndedHasOnlyUnknownSensors() async throws {
    let (_, _, monitor, _) = try await Self.setUp()
    _ = monitor.observe(FakePlugin.reading("t1", 95), plugin: "p")
    monitor.markUnknown(plugin: "p", reason: "the read stream of plugin p ended")
    #expect(monitor.alarms.map(\.severity) == [.unknown])
    #expect(monitor.alarms.first?.threshold == nil && monitor.alarms.first?.message == "the read stream of plugin p ended")
    // Back still hot: critical again, not a false clear.
    #expect(monitor.observe(FakePlugin.reading("t1", 95), plugin: "p") == .critical)
  }

  /// New limits announce nothing by themselves; the next reading decides against them.
  @Test func changedThresholdsAreDecidedByTheNextReadingWithoutAFalseClear() async throws {
    let (server, plugin, monitor, events) = try await Self.setUp()
    func limits(_ thresholds: String?) async throws {
      plugin.replaceDevices([Self.device("t1", thresholds: thresholds)])
      try await server.devices.rebuild(registry: server.registry, refreshingPlugins: false)
    }
    func published() -> [ServerEvent] { events.events(after: 0).events }
    #expect(monitor.observe(FakePlugin.reading("t1", 85), plugin: "p") == .warning)
    // Still beyond the new caution: the alarm holds, with no event, though the new one has a dwell.
    try await limits(#"{"temperature": {"UpperCaution": {"Reading": 50, "DwellTime": "PT1H"}}}"#)
    #expect(monitor.observe(FakePlugin.reading("t1", 85), plugin: "p") == .warning)
    #expect(published().map(\.kind) == [.alarmRaised])
    // Fine under the new limits: cleared by that reading, naming the new limit.
    try await limits(#"{"temperature": {"UpperCaution": {"Reading": 100}}}"#)
    #expect(monitor.alarms.map(\.severity) == [.warning])
    #expect(monitor.observe(FakePlugin.reading("t1", 85), plugin: "p") == .ok)
    #expect(published().map(\.kind) == [.alarmRaised, .alarmCleared])
    #expect(String(buffer: try #require(published().last).data.compact).contains("UpperCaution 100"))
    // The reviewer's case: unknown while the plugin was away, back with lower limits and still
    // hot: unknown → warning, never an all-clear in between; a new kind still dwells.
    try await limits(Self.hot)
    #expect(monitor.observe(FakePlugin.reading("t1", 85), plugin: "p") == .warning)
    monitor.markUnknown(plugin: "p", reason: "the read stream of plugin p ended")
    try await limits(#"{"temperature": {"UpperCaution": {"Reading": 15, "DwellTime": "PT1H"}, "UpperCritical": {"Reading": 70, "DwellTime": "PT1H"}}}"#)
    #expect(monitor.observe(FakePlugin.reading("t1", 85), plugin: "p") == .warning)
    let kinds = published().map(\.kind)
    #expect(kinds == [.alarmRaised, .alarmCleared, .alarmRaised, .alarmChanged, .alarmChanged])
    #expect(published().map(\.severity).suffix(2) == [.unknown, .warning])
    // Thresholds removed altogether: the alarm clears and the sensor is no longer evaluated.
    try await limits(nil)
    #expect(monitor.observe(FakePlugin.reading("t1", 120), plugin: "p") == nil)
    #expect(published().last?.kind == .alarmCleared)
    #expect(String(buffer: try #require(published().last).data.compact).contains("thresholds removed"))
    #expect(monitor.alarms.isEmpty)
  }

  /// A device gone from its plugin's config clears and is dropped at the next sweep after the
  /// device cache is rebuilt; a plugin with no devices at all (down) keeps its sensors unknown.
  @Test func aSensorWhoseDeviceWasRemovedIsDroppedNotStrandedUnknown() async throws {
    let (server, plugin, monitor, events) = try await Self.setUp()
    #expect(monitor.observe(FakePlugin.reading("t1", 95), plugin: "p") == .critical)
    monitor.markUnknown(plugin: "p", reason: "the read stream of plugin p ended")
    plugin.replaceDevices([])
    try await server.devices.rebuild(registry: server.registry, refreshingPlugins: false)
    monitor.sweep()
    #expect(monitor.alarms.map(\.severity) == [.unknown])
    plugin.replaceDevices([Self.device("t2", thresholds: Self.hot)])
    try await server.devices.rebuild(registry: server.registry, refreshingPlugins: false)
    monitor.sweep()
    #expect(monitor.alarms.isEmpty && monitor.sensors.isEmpty)
    let last = try #require(events.events(after: 0).events.last)
    #expect(last.kind == .alarmCleared && String(buffer: last.data.compact).contains("no longer in its plugin's configuration"))
  }

  @Test func badPluginMetadataGivesNoThresholdsAndAProblem() async throws {
    let resolved = ThresholdResolver.none.resolve(Self.device("t1", thresholds: #"{"temperature": {"UpperCritcal": {"Reading": 1}}}"#))
    #expect(resolved.isEmpty)
    #expect(resolved.problem?.contains("UpperCritcal") == true)
  }
}
