import Foundation
import PeerSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A real simulated BMC: OpenIPMI's `ipmi_sim` (Debian `openipmi`) serving RMCP/RMCP+ on a
/// free loopback UDP port, with the sensors of Tests/Fixtures/ipmi (sim.emu, and sim.sdrs
/// compiled by `sdrcomp -8`), users `admin`/`secret` (admin) and `watcher`/`look` (user), and
/// its command console on a free TCP port, and chassis power kept by Tests/Fixtures/ipmi/chassis_control. A fresh state directory each start: persisted
/// users would override lan.conf.
final class IPMISimPeer: Sendable {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let fixtures = repository.appendingPathComponent("Tests/Fixtures/ipmi")

  let port: Int
  let consolePort: Int
  let directory: URL
  private let process: Process

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("ipmi-sim-\(UUID().uuidString.prefix(8))")
    let state = directory.appendingPathComponent("state/ipmi_sim/sim")
    try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
    try PeerProcess.shell("sdrcomp -8 -o '\(state.path)/sdr.20.main' '\(Self.fixtures.path)/sim.sdrs'")
    port = try PeerProcess.freePort(SOCK_DGRAM)
    consolePort = try PeerProcess.freePort(SOCK_STREAM)
    let lan = """
      name "sim"
      set_working_mc 0x20
        startlan 1
          addr 127.0.0.1 \(port)
          priv_limit admin
          allowed_auths_callback none md2 md5 straight
          allowed_auths_user none md2 md5 straight
          allowed_auths_operator none md2 md5 straight
          allowed_auths_admin none md2 md5 straight
          guid a123456789abcdefa123456789abcdef
        endlan
        chassis_control "\(Self.fixtures.path)/chassis_control 0x20"
        user 2 true "admin" "secret" admin 10 none md2 md5 straight
        user 3 true "watcher" "look" user 10 none md2 md5 straight
      console 127.0.0.1 \(consolePort)

      """
    try lan.write(to: directory.appendingPathComponent("lan.conf"), atomically: true, encoding: .utf8)
    process = Process()
    // SIGPIPE ignored: ipmi_sim writes its prompt to a console client that has gone (our
    // readiness probe, a console() call) and dies of the signal otherwise. exec keeps the pid.
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = [
      "-c", "trap '' PIPE; exec ipmi_sim -c lan.conf -f \"$0\" -s state -n", Self.fixtures.appendingPathComponent("sim.emu").path,
    ]
    process.currentDirectoryURL = directory
    let log = directory.appendingPathComponent("sim.log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    let started = ContinuousClock.now
    while !PeerProcess.accepts(port: consolePort) {
      guard process.isRunning, ContinuousClock.now - started < .seconds(20) else {
        stop()
        throw PeerProcess.Failure("ipmi_sim did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
      }
      usleep(50_000)
    }
  }

  func stop() {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    if ProcessInfo.processInfo.environment["IPMI_KEEP"] == nil { try? FileManager.default.removeItem(at: directory) }
  }

  /// Runs simulator commands (ipmi_sim_cmd(5)) through its console.
  func console(_ commands: String...) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = PeerProcess.loopback(port: UInt16(consolePort))
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw PeerProcess.Failure("console connect failed: errno \(errno)") }
    let text = commands.joined(separator: "\n") + "\n"
    _ = text.withCString { send(fd, $0, strlen($0), 0) }
    // The console answers each command with a prompt; reading it back means it was run.
    var buffer = [UInt8](repeating: 0, count: 4096)
    var timeout = timeval(tv_sec: 2, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    usleep(100_000)
    _ = recv(fd, &buffer, buffer.count, 0)
  }

  /// `ipmi-sensors` (FreeIPMI's own client) on this BMC, comma-separated rows without header.
  func ipmiSensors() throws -> [[String]] {
    let cache = directory.appendingPathComponent("ipmi-sensors-cache").path
    try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let output = try PeerProcess.shell(
      "ipmi-sensors -h 127.0.0.1:\(port) -u admin -p secret -l admin -W opensesspriv --sdr-cache-directory '\(cache)' "
        + "--output-sensor-thresholds --no-header-output --comma-separated-output --quiet-cache")
    return output.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
  }

  /// `ipmitool chassis status`'s `System Power` (`on`/`off`): the second independent client.
  func ipmitoolPower() throws -> String {
    let output = try PeerProcess.shell("ipmitool -I lanplus -H 127.0.0.1 -p \(port) -U admin -P secret chassis status 2>/dev/null")
    let line = output.split(separator: "\n").first { $0.hasPrefix("System Power") } ?? ""
    return line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
  }

}

/// One ``IPMISimPeer`` for a whole suite, started off the Swift cooperative pool.
struct IPMISimTrait: SuiteTrait, TestScoping {
  @TaskLocal static var current: IPMISimPeer?

  func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
    let peer = try await withCheckedThrowingContinuation { continuation in
      Thread { continuation.resume(with: Result { try IPMISimPeer() }) }.start()
    }
    defer { peer.stop() }
    try await Self.$current.withValue(peer, operation: function)
  }

  static func peer() throws -> IPMISimPeer { try #require(current, "the suite has no .ipmiSim trait") }
}

extension Trait where Self == IPMISimTrait {
  static var ipmiSim: Self { IPMISimTrait() }
}
