import Foundation
import PeerSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A real SNMP agent: snmpsim (PyPI `snmpsim`, in the repository's .venv) serving recordings of
/// real devices (`snmpsim-data`, laid out by Tests/Fixtures/snmp/prepare.py) on `ports.count`
/// free loopback UDP ports, with the SNMPv3 users `synse` (SHA / AES, keys below) and
/// `watcher` (SHA256, authentication only, key `watcher-auth-key`). The
/// community (v2c) or context (v3) selects the recording: `eaton-93e-80`, `apc-8641`,
/// `apc-8641-rw`, `geist`, `paloalto`.
final class SNMPSimPeer: Sendable {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let user = "synse", authKey = "synse-auth-key", privKey = "synse-priv-key"

  let ports: [Int]
  let directory: URL
  private let process: Process

  init(endpoints: Int = 4) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("snmpsim-\(UUID().uuidString.prefix(8))")
    let python = Self.repository.appendingPathComponent(".venv/bin/python").path
    try PeerProcess.shell("'\(python)' '\(Self.repository.path)/Tests/Fixtures/snmp/prepare.py' '\(directory.path)/data'")
    try FileManager.default.createDirectory(at: directory.appendingPathComponent("cache"), withIntermediateDirectories: true)
    ports = try (0..<endpoints).map { _ in try PeerProcess.freePort(SOCK_DGRAM) }
    process = Process()
    process.executableURL = Self.repository.appendingPathComponent(".venv/bin/snmpsim-command-responder")
    process.arguments =
      ["--data-dir=\(directory.path)/data", "--cache-dir=\(directory.path)/cache"] + ports.map { "--agent-udpv4-endpoint=127.0.0.1:\($0)" }
      + ["--v3-user=\(Self.user)", "--v3-auth-key=\(Self.authKey)", "--v3-auth-proto=SHA", "--v3-priv-key=\(Self.privKey)", "--v3-priv-proto=AES"]
      + ["--v3-user=watcher", "--v3-auth-key=watcher-auth-key", "--v3-auth-proto=SHA256"]
    process.environment = ProcessInfo.processInfo.environment.merging(["SNMPSIM_ALLOW_ROOT": "true"]) { _, new in new }
    let log = directory.appendingPathComponent("snmpsim.log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    let started = ContinuousClock.now
    // Ready once it answers (it indexes the recordings first).
    while (try? PeerProcess.shell("snmpget -v2c -c geist -t 0.3 -r 0 127.0.0.1:\(ports[ports.count - 1]) 1.3.6.1.2.1.1.2.0")) == nil {
      guard process.isRunning, ContinuousClock.now - started < .seconds(60) else {
        stop()
        throw PeerProcess.Failure("snmpsim did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
      }
      usleep(100_000)
    }
  }

  func stop() {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    try? FileManager.default.removeItem(at: directory)
  }

  /// net-snmp's `snmpwalk -On -Oq` of `oid` (v2c, `community`): (OID, value text) per line.
  func snmpwalk(_ community: String, _ oid: String, port: Int? = nil) throws -> [(String, String)] {
    let output = try PeerProcess.shell("snmpwalk -v2c -c \(community) -On -Oq -Oe 127.0.0.1:\(port ?? ports[0]) \(oid)")
    return output.split(separator: "\n").map { line in
      let parts = line.split(separator: " ", maxSplits: 1)
      return (String(parts[0].dropFirst()), parts.count > 1 ? String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : "")
    }
  }
}

/// One ``SNMPSimPeer`` for a whole suite, started off the Swift cooperative pool.
struct SNMPSimTrait: SuiteTrait, TestScoping {
  @TaskLocal static var current: SNMPSimPeer?

  func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
    let peer = try await withCheckedThrowingContinuation { continuation in
      Thread { continuation.resume(with: Result { try SNMPSimPeer() }) }.start()
    }
    defer { peer.stop() }
    try await Self.$current.withValue(peer, operation: function)
  }

  static func peer() throws -> SNMPSimPeer { try #require(current, "the suite has no .snmpSim trait") }
}

extension Trait where Self == SNMPSimTrait {
  static var snmpSim: Self { SNMPSimTrait() }
}
