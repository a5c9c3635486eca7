import Logging
import Testing
@testable import SynseServerCore
import SynseSupport

/// ``HealthMetrics`` over a real ``DeviceCache`` filled from a ``FakePlugin``: the cases the
/// emulator cannot produce in the interop test (test_metrics_health.py) — a unit that cannot be
/// told, a sensor whose device another plugin owns, readings alike in context, no sensors.
struct HealthMetricsTests {
  static let limits = Thresholds(upperCaution: Threshold(reading: 2), upperCritical: Threshold(reading: 3))

  static func device(_ id: String, type: String, units: [String]) -> DeviceRecord {
    var device = FakePlugin.device(id, plugin: "p", type: type)
    device.outputs = units.map { DeviceRecord.Output(name: $0, type: type, precision: 3, scalingFactor: 1, unit: (name: $0, symbol: $0)) }
    return device
  }

  static func status(_ device: String, plugin: String = "p", type: String, context: [(String, String)] = [], health: HealthState = .ok) -> SensorStatus {
    SensorStatus(device: device, plugin: plugin, type: type, context: context, health: health, thresholds: limits)
  }

  static func render(_ sensors: [SensorStatus]) async throws -> [String] {
    let plugin = FakePlugin(id: "p", devices: [
      device("kwh", type: "energy", units: ["kilowatt-hour"]), device("both", type: "energy", units: ["kilojoule", "kilowatt-hour"]),
      device("pdu", type: "current", units: ["ampere"]),
    ])
    let server = try FakePluginServer(addresses: ["p:5001"], plugins: ["p:5001": plugin])
    try await server.start()
    return HealthMetrics.render(sensors, devices: server.devices).split(separator: "\n").map(String.init)
  }

  @Test func thresholdsInTheBaseUnitOnlyWhenTheDeviceNamesOneUnit() async throws {
    let lines = try await Self.render([Self.status("kwh", type: "energy"), Self.status("both", type: "energy", health: .critical)])
    let base = #"id="kwh",info="energy kwh",device_type="energy",plugin="p",tags="",type="energy""#
    #expect(lines.contains("synse_device_health{\(base)} 0"))
    #expect(lines.contains("synse_device_threshold{\(base),threshold=\"UpperCaution\",unit=\"joules\"} 7200000"))
    // kJ and kWh outputs of one type: which one the limit is written in cannot be told.
    let both = #"id="both",info="energy both",device_type="energy",plugin="p",tags="",type="energy""#
    #expect(lines.contains("synse_device_health{\(both)} 2"))
    #expect(lines.contains("synse_device_threshold{\(both),threshold=\"UpperCritical\"} 3"))
  }

  @Test func aSensorOfAnotherPluginsDeviceIDGetsNoneOfThatDevicesLabels() async throws {
    let lines = try await Self.render([Self.status("kwh", plugin: "q", type: "energy", health: .unknown)])
    #expect(lines.contains(#"synse_device_health{id="kwh",info="",device_type="",plugin="q",tags="",type="energy"} -1"#))
    #expect(lines.contains(#"synse_device_threshold{id="kwh",info="",device_type="",plugin="q",tags="",type="energy",threshold="UpperCaution"} 2"#))
  }

  @Test func readingsOfOneTypeGetTheContextThatTellsThemApartOrAnIndex() async throws {
    let outlets = [("outlet", "1"), ("outlet", "2")].map { Self.status("pdu", type: "current", context: [$0, ("phase", "a")]) }
    let twins = [Self.status("kwh", type: "energy"), Self.status("kwh", type: "energy", health: .warning)]
    let lines = try await Self.render(outlets + twins)
    let pdu = #"id="pdu",info="current pdu",device_type="current",plugin="p",tags="",type="current""#
    #expect(lines.contains("synse_device_health{\(pdu),context_outlet=\"2\"} 0"))
    #expect(lines.contains("synse_device_threshold{\(pdu),context_outlet=\"2\",threshold=\"UpperCritical\",unit=\"amperes\"} 3"))
    let kwh = #"id="kwh",info="energy kwh",device_type="energy",plugin="p",tags="",type="energy""#
    #expect(lines.contains("synse_device_health{\(kwh),index=\"1\"} 1"))
    #expect(lines.filter { $0.hasPrefix("synse_device_") }.count == 4 + 8)
  }

  /// Readings alike in context are told apart by `index`, their place in the pass: each index
  /// must stay with its sensor from one scrape to the next, whatever order the monitor keeps.
  @Test func indexLabelsFollowEachSensorsPlaceAmongTheDevicesReadings() async throws {
    var device = FakePlugin.device("t1", plugin: "p")
    device.metadata = [(ThresholdsMetadata.key, #"{"temperature": {"UpperCaution": {"Reading": 80}, "UpperCritical": {"Reading": 90}}}"#)]
    let server = try FakePluginServer(addresses: ["p:5001"], plugins: ["p:5001": FakePlugin(id: "p", devices: [device])])
    try await server.start()
    let monitor = HealthMonitor(
      resolver: .none, devices: server.devices, events: EventJournal(capacity: 100), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    let values: [Int64] = [95, 85, 20]  // critical, warning, ok
    for ordinal in 0..<20 {
      var reading = FakePlugin.reading("t1", values[ordinal % 3])
      reading.ordinal = ordinal
      _ = monitor.observe(reading, plugin: "p")
    }
    let lines = HealthMetrics.render(monitor.sensors, devices: server.devices).split(separator: "\n")
    for ordinal in 0..<20 {
      let expected = [2, 1, 0][ordinal % 3]
      #expect(lines.contains { $0.hasPrefix("synse_device_health{") && $0.hasSuffix(#"index="\#(ordinal)"} \#(expected)"#) }, "index \(ordinal)")
    }
  }

  @Test func bothFamiliesAreThereWithoutSensors() async throws {
    #expect(try await Self.render([]) == [
      "# HELP synse_device_health \(HealthMetrics.health.help)", "# TYPE synse_device_health gauge",
      "# HELP synse_device_threshold \(HealthMetrics.threshold.help)", "# TYPE synse_device_threshold gauge",
    ])
  }
}
