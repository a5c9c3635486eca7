import Foundation
public import SynseSupport

/// What one poll of a BMC found.
public struct BMCPoll: Sendable {
  /// The BMC's System GUID (``IPMISession/systemGUID()``).
  var guid: String
  var sensors: [IPMISensorReading]
  var chassis: ChassisStatus
  /// When the poll began: the readings' timestamp (a reading served later is as old as its poll).
  var time = Date()

  /// How many SDR sensors the poll read (for benchmarks).
  public var sensorCount: Int { sensors.count }
}

/// One BMC: its session, SDR cache and thread. The session opens at the first call and again
/// after any failure (a BMC reboot ends it), so that a poll after a fault starts clean.
///
/// ```swift
/// let bmc = BMCConnection(settings, cacheDirectory: "/var/cache/synse-ipmi")
/// let poll = try await bmc.poll()           // IPMIError names what failed
/// try await bmc.chassisControl(.on)
/// ```
public final class BMCConnection: Sendable {
  public let settings: IPMIEndpointSettings
  private let thread: SerialThread
  private let state: ThreadConfined

  public init(_ settings: IPMIEndpointSettings, cacheDirectory: String) {
    self.settings = settings
    thread = SerialThread(name: "ipmi \(settings.endpoint)")
    state = ThreadConfined(settings: settings, cacheDirectory: cacheDirectory)
  }

  deinit { thread.stop() }

  /// - Throws: ``IPMIError``: `.credentials`, `.unreachable` or `.bmc`, FreeIPMI's message.
  public func poll() async throws(IPMIError) -> BMCPoll {
    try await thread.run { [state] () throws(IPMIError) in
      try state.withSession(retry: true) { session, repository throws(IPMIError) in
        let time = Date()
        return BMCPoll(guid: try session.systemGUID(), sensors: try repository.read(), chassis: try session.chassisStatus(), time: time)
      }
    }
  }

  func chassisStatus() async throws(IPMIError) -> ChassisStatus {
    try await thread.run { [state] () throws(IPMIError) in
      try state.withSession(retry: true) { session, _ throws(IPMIError) in try session.chassisStatus() }
    }
  }

  func chassisControl(_ control: ChassisControl) async throws(IPMIError) {
    try await thread.run { [state] () throws(IPMIError) in
      try state.live()
      try state.withSession { session, _ throws(IPMIError) in try session.chassisControl(control) }
    }
  }

  /// - Parameter seconds: on for that long (1–255); nil: on until turned off; 0: off.
  func chassisIdentify(seconds: UInt8?) async throws(IPMIError) {
    try await thread.run { [state] () throws(IPMIError) in
      try state.live()
      try state.withSession { session, _ throws(IPMIError) in try session.chassisIdentify(seconds: seconds) }
    }
  }

  /// How many times the SDR was fetched from the BMC.
  func sdrFetches() async -> Int {
    (try? await thread.run { [state] () throws(IPMIError) in state.fetches }) ?? 0
  }

  /// The session and repository, touched only on the BMC's thread.
  private final class ThreadConfined: @unchecked Sendable {
    let settings: IPMIEndpointSettings
    let cacheDirectory: String
    var session: IPMISession?
    var repository: SensorRepository?
    var fetches = 0

    init(settings: IPMIEndpointSettings, cacheDirectory: String) {
      self.settings = settings
      self.cacheDirectory = cacheDirectory
    }

    /// Runs `body` with the open session, opening one first if needed. A read (`retry`) that
    /// fails on a session opened earlier is run once more on a fresh one: BMCs drop sessions
    /// (ipmi_sim does after a power change, real ones on reset or idle). Writes are not
    /// repeated: a lost answer may hide a command that was done (a second power cycle).
    func withSession<T>(retry: Bool = false, _ body: (IPMISession, SensorRepository) throws(IPMIError) -> T) throws(IPMIError) -> T {
      let reused = session != nil
      do throws(IPMIError) {
        return try attempt(body)
      } catch where retry && reused && error.kind != .credentials {
        return try attempt(body)
      }
    }

    /// Makes sure the session answers before a write, which is not repeated: a session the
    /// BMC dropped meanwhile is replaced by a read (ipmi_sim drops ours whenever ipmitool
    /// opens one).
    func live() throws(IPMIError) {
      _ = try withSession(retry: true) { session, _ throws(IPMIError) in try session.chassisStatus() }
    }

    private func attempt<T>(_ body: (IPMISession, SensorRepository) throws(IPMIError) -> T) throws(IPMIError) -> T {
      do {
        if session == nil {
          let opened = try IPMISession(settings)
          session = opened
          repository = try SensorRepository(session: opened, cacheDirectory: cacheDirectory)
        }
        let before = repository!.fetches
        defer { fetches += repository.map { $0.fetches - before } ?? 0 }
        return try body(session!, repository!)
      } catch {
        repository = nil
        session = nil
        throw error
      }
    }
  }
}

extension SerialThread {
  /// Runs `body` on the BMC's thread.
  func run<T: Sendable>(_ body: @escaping @Sendable () throws(IPMIError) -> T) async throws(IPMIError) -> T {
    try await run(
      body, ifStopped: IPMIError(.bmc, "the BMC's thread has stopped"),
      ifCancelled: IPMIError(.unreachable, "given up before the BMC answered (the write timed out or the plugin is stopping)"))
  }
}
