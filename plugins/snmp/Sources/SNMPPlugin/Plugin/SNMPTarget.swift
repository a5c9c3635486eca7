import Foundation
public import SynseSupport

/// One agent: its net-snmp session and thread, and the profile chosen for it. The session opens
/// at the first call and again after a failure to open; every call runs on the target's own
/// thread, so a dead agent holds only that thread (issue 20: one dead target never delays the
/// others).
///
/// ```swift
/// let target = SNMPTarget(settings, library: library)
/// let poll = try await target.poll()        // SNMPError names what failed
/// try await target.set(oid, integer: 2)
/// ```
public final class SNMPTarget: Sendable {
  public let settings: SNMPTargetSettings
  let library: SNMPProfileLibrary
  private let thread: SerialThread
  private let state: Confined
  /// GETBULK (the default) or GETNEXT walks: the benchmark compares the two.
  let bulk: Bool

  public init(_ settings: SNMPTargetSettings, library: SNMPProfileLibrary, bulk: Bool = true) {
    self.settings = settings
    self.library = library
    self.bulk = bulk
    thread = SerialThread(name: "snmp \(settings.endpoint)")
    state = Confined()
  }

  deinit { thread.stop() }

  public func poll() async throws(SNMPError) -> SNMPPoll {
    try await run { [self] session throws(SNMPError) in
      let profile: SNMPProfile
      if let chosen = state.profile { profile = chosen } else { profile = try choose(session) }
      state.profile = profile
      return try ProfileReader.read(profile, from: session, bulk: bulk)
    }
  }

  func set(_ oid: OID, integer: Int) async throws(SNMPError) {
    try await run { session throws(SNMPError) in try session.set(oid, integer: integer) }
  }

  func get(_ oid: OID) async throws(SNMPError) -> SNMPValue {
    try await run { session throws(SNMPError) in try session.get([oid])[oid] ?? .noSuchInstance }
  }

  /// The profile named by the target's `profile:`, else the one of its sysObjectID.0, else
  /// the first (by name) whose probe OID has a value.
  private func choose(_ session: SNMPSession) throws(SNMPError) -> SNMPProfile {
    if let name = settings.profile {
      guard let profile = library.profiles[name] else { throw SNMPError(.agent, "no profile named '\(name)'") }
      return profile
    }
    let sysObjectID = OID([1, 3, 6, 1, 2, 1, 1, 2, 0])
    let probing = library.probing
    let values = try session.get([sysObjectID] + probing.compactMap(\.probe))
    if case .oid(let id)? = values[sysObjectID], let profile = library.matching(sysObjectID: id) { return profile }
    if let profile = probing.first(where: { values[$0.probe!]?.isPresent == true }) { return profile }
    let id = values[sysObjectID]?.text ?? "none"
    throw SNMPError(.agent, "no profile matches sysObjectID \(id) and no profile's probe answers; name one with profile: (\(library.profiles.keys.sorted().joined(separator: ", ")))")
  }

  private func run<T: Sendable>(_ body: @escaping @Sendable (SNMPSession) throws(SNMPError) -> T) async throws(SNMPError) -> T {
    try await thread.run(
      { [state, settings] () throws(SNMPError) -> T in
        let session: SNMPSession
        if let open = state.session { session = open } else { session = try SNMPSession(settings) }
        state.session = session
        return try body(session)
      }, ifStopped: SNMPError(.unreachable, "the target's thread has stopped"),
      ifCancelled: SNMPError(.unreachable, "given up before the agent answered (the write timed out or the plugin is stopping)"))
  }

  /// What only the target's thread touches.
  private final class Confined: @unchecked Sendable {
    var session: SNMPSession?
    var profile: SNMPProfile?
  }
}
