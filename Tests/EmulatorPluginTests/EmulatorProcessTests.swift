import Foundation
import Testing

/// The `synse-emulator-plugin` executable, run as a separate process.
struct EmulatorProcessTests {
  static let binary = ProcessInfo.processInfo.environment["SYNSETEST_EMULATOR_BIN"]
    ?? EmulatorDeviceTests.packageRoot.appendingPathComponent(".build/debug/synse-emulator-plugin").path

  struct Outcome {
    let status: Int32
    let output: String
  }

  /// Runs the plugin with `environment` until it exits or `stopAfter` passes (then SIGTERM).
  func run(_ arguments: [String] = [], environment: [String: String], stopWhen: String? = nil) async throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = arguments
    process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
    process.currentDirectoryURL = FileManager.default.temporaryDirectory
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    var output = ""
    for await line in lines(of: pipe.fileHandleForReading) {
      output += line + "\n"
      if let stopWhen, line.contains(stopWhen) {
        process.terminate()
      }
    }
    process.waitUntilExit()
    return Outcome(status: process.terminationStatus, output: output)
  }

  /// The handle's lines; a dispatch thread does the blocking reads so the test's
  /// cooperative threads stay free.
  func lines(of handle: FileHandle) -> AsyncStream<String> {
    AsyncStream { continuation in
      DispatchQueue.global().async {
        var buffer = Data()
        while true {
          let chunk = handle.availableData
          if chunk.isEmpty { break }
          buffer.append(chunk)
          while let newline = buffer.firstIndex(of: 10) {
            continuation.yield(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
            buffer.removeSubrange(buffer.startIndex...newline)
          }
        }
        if !buffer.isEmpty { continuation.yield(String(decoding: buffer, as: UTF8.self)) }
        continuation.finish()
      }
    }
  }

  func temporaryFile(_ name: String, _ text: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emu-proc-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  @Test func servesOnAUnixSocketAndCleansUpOnSIGTERM() async throws {
    let socket = FileManager.default.temporaryDirectory.appendingPathComponent("emu-\(UUID().uuidString.prefix(8))/plugin.sock").path
    let config = try temporaryFile("config.yml", "version: 3\nnetwork: {type: unix, address: \(socket)}\nhealth: {healthFile: ''}\n")
    let outcome = try await run(environment: ["PLUGIN_CONFIG": config], stopWhen: "serving synse.V3Plugin")
    #expect(outcome.status == 0, "\(outcome.output)")
    #expect(outcome.output.contains("[unix]\(socket)"))
    #expect(!FileManager.default.fileExists(atPath: socket))
  }

  @Test func badConfigValueStopsWithFileAndKey() async throws {
    let config = try temporaryFile("config.yml", "network: {type: tcp, address: ':0'}\nsettings: {write: {interval: often}}\n")
    let outcome = try await run(environment: ["PLUGIN_CONFIG": config])
    #expect(outcome.status != 0)
    #expect(outcome.output.contains(config) && outcome.output.contains("settings.write.interval"), "\(outcome.output)")
  }

  @Test func missingConfigFileIsReported() async throws {
    let outcome = try await run(environment: ["PLUGIN_CONFIG": "/nonexistent/config.yml"])
    #expect(outcome.status != 0)
    #expect(outcome.output.contains("/nonexistent/config.yml"))
  }

  @Test func badDeviceConfigIsReported() async throws {
    let devices = try temporaryFile("devices.yaml", "version: 3\ndevices:\n  - type: warp-drive\n    instances: [{info: x}]\n")
    let outcome = try await run(["--dry-run"], environment: ["PLUGIN_DEVICE_CONFIG": devices])
    #expect(outcome.status != 0)
    #expect(outcome.output.contains("warp-drive") && outcome.output.contains(devices), "\(outcome.output)")
  }

  @Test func dryRunAndVersionExitCleanly() async throws {
    let dryRun = try await run(["--dry-run"], environment: [:])
    #expect(dryRun.status == 0 && dryRun.output.contains("devices=29"), "\(dryRun.output)")
    let version = try await run(["--version"], environment: [:])
    #expect(version.status == 0 && version.output.contains("3.4.1"))
  }
}
