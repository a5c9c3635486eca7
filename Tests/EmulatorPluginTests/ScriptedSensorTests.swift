import Foundation
import Logging
import Testing
@testable import EmulatorPlugin
@testable import SynseSDK

/// The scripted sensor (`handler: scripted`): one configured value per read pass of the real
/// plugin runtime, `repeat`/`hold` at the end, the `script` write action and bad config.
struct ScriptedSensorTests {
  static let exampleConfig = EmulatorDeviceTests.packageRoot.appendingPathComponent("plugins/emulator/config/scripted/devices.yaml").path

  func load(devices path: String) throws -> PluginRuntime {
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    let loader = ConfigLoader(environment: ["PLUGIN_DEVICE_CONFIG": path], workingDirectory: empty.path)
    return try EmulatorPlugin.make().load(loader: loader, logger: Logger(label: "test"))
  }

  /// A device file with one scripted temperature device whose `data` is `data` (YAML flow map).
  func deviceFile(data: String) throws -> String {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("scripted-\(UUID().uuidString.prefix(8)).yaml")
    let yaml = """
      version: 3
      devices:
        - type: temperature
          handler: scripted
          instances:
            - info: Probe
              data: \(data)
      """
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    return file.path
  }

  func device(_ runtime: PluginRuntime, _ info: String) throws -> Device {
    try #require(runtime.devices.devices.first { $0.info == info })
  }

  /// Runs `passes` read passes; after each, reads the device's current readings three times (as
  /// three clients would) and checks they agree, so only passes advance the sequence.
  func values(_ runtime: PluginRuntime, _ device: Device, passes: Int) async -> [ReadingValue] {
    var seen: [ReadingValue] = []
    for _ in 0..<passes {
      await runtime.scheduler.readPass()
      let reads = (0..<3).map { _ in runtime.readings.current(for: device.id).map(\.value) }
      #expect(reads.allSatisfy { $0 == reads[0] && $0.count == 1 })
      seen += reads[0]
    }
    return seen
  }

  @Test func exampleConfigReadsOneValuePerPassThenRepeatsOrHolds() async throws {
    let runtime = try load(devices: Self.exampleConfig)
    #expect(runtime.devices.devices.count == 3)
    let inlet = try device(runtime, "Scripted Inlet Temperature")
    let outlet = try device(runtime, "Scripted Outlet Temperature")
    let rail = try device(runtime, "Scripted Rail Voltage")
    let inletValues = await values(runtime, inlet, passes: 6)
    #expect(inletValues == [.int64(20), .int64(30), .int64(40), .float64(50.5), .int64(20), .int64(30)])
    // The same six passes read the outlet (25, 60, then held) and the rail (12, 12.6, 13.2 twice).
    #expect(runtime.readings.current(for: outlet.id).map(\.value) == [.int64(60)])
    let railValues = runtime.readings.current(for: rail.id)
    #expect(railValues.map(\.value) == [.float64(13.2)])
    #expect(railValues.first?.output == .voltage)
    #expect(runtime.readings.current(for: inlet.id).first?.output == .temperature)
    #expect(runtime.readings.current(for: inlet.id).first?.context == ["model": "emul8-scripted"])
  }

  @Test func holdKeepsTheLastValue() async throws {
    let runtime = try load(devices: try deviceFile(data: "{id: 1, values: [1, 2.5, 3], end: hold}"))
    let probe = try device(runtime, "Probe")
    #expect(await values(runtime, probe, passes: 5) == [.int64(1), .float64(2.5), .int64(3), .int64(3), .int64(3)])
  }

  @Test func repeatIsTheDefault() async throws {
    let runtime = try load(devices: try deviceFile(data: "{id: 1, values: [7, 8]}"))
    let probe = try device(runtime, "Probe")
    #expect(await values(runtime, probe, passes: 5) == [.int64(7), .int64(8), .int64(7), .int64(8), .int64(7)])
  }

  /// Writes `data` with action `action` through the write queue and write pass; returns the
  /// transaction's final status and message.
  func write(_ runtime: PluginRuntime, _ device: Device, _ action: String, _ data: String) async throws -> (Transaction.Status, String) {
    let item = WriteData(action: action, data: Array(data.utf8))
    let transaction = try runtime.scheduler.transactions.create(deviceID: device.id, write: item, timeout: .seconds(30))
    #expect(runtime.scheduler.writeQueue.enqueue(.init(transactionID: transaction.id, device: device, write: item)))
    await runtime.scheduler.writePass()
    let final = try #require(runtime.scheduler.transactions.transaction(transaction.id))
    return (final.status, final.message)
  }

  @Test func scriptWriteReplacesTheValuesFromTheNextPass() async throws {
    let runtime = try load(devices: try deviceFile(data: "{id: 1, values: [20, 21, 22], end: hold}"))
    let probe = try device(runtime, "Probe")
    #expect(await values(runtime, probe, passes: 2) == [.int64(20), .int64(21)])
    let (status, message) = try await write(runtime, probe, "script", " [50, 55.5] ")
    #expect(status == .done && message.isEmpty)
    // Starts from the new first value, and still holds (the end mode is the config's).
    #expect(await values(runtime, probe, passes: 4) == [.int64(50), .float64(55.5), .float64(55.5), .float64(55.5)])
  }

  @Test(arguments: [
    ("", "must be a JSON list of numbers"),
    ("[]", "has no values"),
    ("[1, x]", "script data value 1 'x' is not a number"),
    ("[1,,2]", "script data value 1 '' is not a number"),
    ("[nan]", "script data value 0 'nan' is not a number"),
    ("{\"values\": [1]}", "must be a JSON list of numbers"),
    ("[\"5\"]", "script data value 0 '\"5\"' is not a number"),
  ])
  func badScriptWriteEndsInErrorAndKeepsTheValues(data: String, expected: String) async throws {
    let runtime = try load(devices: try deviceFile(data: "{id: 1, values: [1, 2]}"))
    let probe = try device(runtime, "Probe")
    #expect(await values(runtime, probe, passes: 1) == [.int64(1)])
    let (status, message) = try await write(runtime, probe, "script", data)
    #expect(status == .error)
    #expect(message.contains(expected), "message: \(message)")
    #expect(await values(runtime, probe, passes: 2) == [.int64(2), .int64(1)])
  }

  @Test func otherWriteActionsAreRefused() async throws {
    let runtime = try load(devices: try deviceFile(data: "{id: 1, values: [1]}"))
    let (status, message) = try await write(runtime, try device(runtime, "Probe"), "current", "[5]")
    #expect(status == .error)
    #expect(message.contains("unsupported write action 'current'"))
  }

  @Test(arguments: [
    ("{id: 1}", "data.values is missing"),
    ("{id: 1, values: []}", "data.values must be a non-empty list of numbers, got '[]'"),
    ("{id: 1, values: 20}", "data.values must be a non-empty list of numbers, got '20'"),
    ("{id: 1, values: [1, abc]}", "data.values[1] 'abc' is not a number"),
    ("{id: 1, values: [1, .nan]}", "data.values[1] 'nan' is not a number"),
    ("{id: 1, values: [1], output: kelvin}", "data.output 'kelvin' is not a known output"),
    ("{id: 1, values: [1], end: forever}", "data.end 'forever' is not an end mode (want repeat or hold)"),
  ])
  func badConfigIsAStartupErrorNamingDeviceAndKey(data: String, expected: String) throws {
    let path = try deviceFile(data: data)
    let error = #expect(throws: ConfigError.self) { try load(devices: path) }
    let text = "\(error.map { "\($0)" } ?? "")"
    #expect(text.contains("scripted device 'Probe': \(expected)"), "error: \(text)")
    #expect(text.contains("setup action 'scripted sensor' failed for device "))
  }

  @Test func anyRegisteredOutputByName() async throws {
    let runtime = try load(devices: try deviceFile(data: "{id: 1, values: [3], output: airflow}"))
    let probe = try device(runtime, "Probe")
    await runtime.scheduler.readPass()
    #expect(runtime.readings.current(for: probe.id).first?.output == EmulatorOutputs.airflow)
  }
}
