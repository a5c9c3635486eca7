import Foundation

/// What one poll of a BMC found.
struct BMCPoll: Sendable {
  /// The BMC's System GUID (``IPMISession/systemGUID()``).
  var guid: String
  var sensors: [IPMISensorReading]
  var chassis: ChassisStatus
}

/// One BMC: its session, SDR cache and thread. The session opens at the first call and again
/// after any failure (a BMC reboot ends it), so that a poll after a fault starts clean.
///
/// ```swift
/// let bmc = BMCConnection(settings, cacheDirectory: "/var/cache/synse-ipmi")
/// let poll = try await bmc.poll()           // IPMIError names what failed
/// try await bmc.chassisControl(.on)
/// ```
final class BMCConnection: Sendable {
  let settings: IPMIEndpointSettings
  private let thread: IPMIThread
  private let state: ThreadConfined

  init(_ settings: IPMIEndpointSettings, cacheDirectory: String) {
    self.settings = settings
    thread = IPMIThread(name: "ipmi \(settings.endpoint)")
    state = ThreadConfined(settings: settings, cacheDirectory: cacheDirectory)
  }

  deinit { thread.stop() }

  /// - Throws: ``IPMIError``: `.credentials`, `.unreachable` or `.bmc`, FreeIPMI's message.
  func poll() async throws(IPMIError) -> BMCPoll {
    try await thread.run { [state] () throws(IPMIError) in
      try state.withSession { session, repository throws(IPMIError) in
        BMCPoll(guid: try session.systemGUID(), sensors: try repository.read(), chassis: try session.chassisStatus())
      }
    }
  }

  func chassisStatus() async throws(IPMIError) -> ChassisStatus {
    try await thread.run { [state] () throws(IPMIError) in
      try state.withSession { session, _ throws(IPMIError) in try session.chassisStatus() }
    }
  }

  func chassisControl(_ control: ChassisControl) async throws(IPMIError) {
    try await thread.run { [state] () throws(IPMIError) in
      try state.withSession { session, _ throws(IPMIError) in try session.chassisControl(control) }
    }
  }

  /// - Parameter seconds: on for that long (1–255); nil: on until turned off; 0: off.
  func chassisIdentify(seconds: UInt8?) async throws(IPMIError) {
    try await thread.run { [state] () throws(IPMIError) in
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

    func withSession<T>(_ body: (IPMISession, SensorRepository) throws(IPMIError) -> T) throws(IPMIError) -> T {
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
