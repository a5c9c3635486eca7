import Foundation
import PeerSupport
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Real Redfish peers for the transport tests: processes from the repository's `.venv`
/// (sushy-static, sushy-emulator) and our session test double, each on a free loopback port
/// with its own temporary directory, stopped when the suite ends.
final class TransportPeer: Sendable {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let venv = repository.appendingPathComponent(".venv/bin")
  /// The DMTF mockups (Tests/Fixtures/redfish, a copy of ../shared/fixtures/redfish; see its README).
  static let mockups = repository.appendingPathComponent("Tests/Fixtures/redfish")

  let port: Int
  let directory: URL
  let scheme: String
  private let process: Process

  var endpoint: String { "\(scheme)://127.0.0.1:\(port)" }

  /// Starts `.venv/bin/<program>` with `arguments(port, directory)` and waits until the port
  /// accepts connections.
  init(
    _ program: String, scheme: String = "http", environment: [String: String] = [:],
    prepare: (URL) throws -> Void = { _ in }, arguments: (Int, URL) -> [String]
  ) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("redfish-transport-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try prepare(directory)
    port = try Self.freePort()
    self.scheme = scheme
    process = Process()
    process.executableURL = Self.venv.appendingPathComponent(program)
    process.arguments = arguments(port, directory)
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.currentDirectoryURL = directory
    let log = directory.appendingPathComponent("peer.log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    let started = ContinuousClock.now
    while !PeerProcess.accepts(port: port) {
      guard process.isRunning, ContinuousClock.now - started < .seconds(30) else {
        stop()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw PeerFailed(description: "\(program) did not start listening on \(port): \(text.suffix(2000))")
      }
      usleep(50_000)
    }
  }

  struct PeerFailed: Error, CustomStringConvertible { let description: String }

  func stop() {
    if process.isRunning {
      // SIGKILL, not terminate(): a peer spawned from a concurrency-pool thread inherits its
      // signal mask, SIGTERM blocked (seen in /proc/<pid>/status SigBlk), and never exits.
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    try? FileManager.default.removeItem(at: directory)
  }

  /// A port nothing listens on right now (bound to 0, then released).
  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = PeerProcess.loopback(port: 0)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw PeerFailed(description: "bind failed: errno \(errno)") }
    return Int(boundPort(fd))
  }

  static func boundPort(_ fd: Int32) -> UInt16 {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return UInt16(bigEndian: address.sin_port)
  }

  /// OUR session test double (Tests/Fixtures/redfish-session/session_service.py) for user
  /// `operator` with `password`.
  static func sessionDouble(password: String) throws -> TransportPeer {
    try TransportPeer("python", prepare: { directory in
      try "\(password)\n".write(to: directory.appendingPathComponent("password"), atomically: true, encoding: .utf8)
    }) { port, directory in
      [repository.appendingPathComponent("Tests/Fixtures/redfish-session/session_service.py").path,
       "--port", "\(port)", "--username", "operator", "--password-file", directory.appendingPathComponent("password").path]
    }
  }

  /// Runs `command` with `/bin/sh -c` in `directory` (openssl, the venv's python).
  static func shell(_ command: String, in directory: URL) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = directory
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw PeerFailed(description: "'\(command)' exited \(process.terminationStatus)") }
  }
}

/// A listener that completes TCP connections (the kernel's backlog) but never reads or answers:
/// a BMC that hangs after accepting.
final class SilentListener: Sendable {
  let port: Int
  private let fd: Int32

  init() throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = PeerProcess.loopback(port: 0)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
      close(fd)
      throw TransportPeer.PeerFailed(description: "listen failed: errno \(errno)")
    }
    self.fd = fd
    port = Int(TransportPeer.boundPort(fd))
  }

  func stop() { close(fd) }
}

/// Every log line a client writes, to prove no credential is in one.
final class CapturedLog: Sendable {
  private let lines = Mutex<[String]>([])

  var text: String { lines.withLock { $0.joined(separator: "\n") } }

  var logger: Logger {
    var logger = Logger(label: "redfish-transport-test") { _ in Handler(log: self) }
    logger.logLevel = .trace
    return logger
  }

  struct Handler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
      let all = metadata.merging(event.metadata ?? [:]) { $1 }
      log.lines.withLock { $0.append("\(event.level) \(event.message) \(all)") }
    }
  }
}
