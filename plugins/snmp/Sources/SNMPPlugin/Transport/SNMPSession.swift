import CNetSNMP
import Foundation
import SynseSupport
import Synchronization

/// One net-snmp session to one agent (the single-session API, `snmp_sess_*`), used by one
/// thread only (``SNMPTarget``'s). Every request is counted, for the GETBULK benchmark.
///
/// ```swift
/// let session = try SNMPSession(settings)
/// let values = try session.get([OID("1.3.6.1.2.1.1.2.0")!])
/// let columns = try session.walk([OID("1.3.6.1.2.1.33.1.3.3.1.3")!])   // rows by index
/// try session.set(outletCommand, integer: 2)
/// ```
final class SNMPSession {
  private let handle: UnsafeMutableRawPointer
  let endpoint: String
  /// What a timeout may also mean: SNMPv2c agents drop a wrong community's requests unanswered.
  private let hint: String
  /// Requests sent (each GET, GETNEXT, GETBULK or SET PDU, retries not counted).
  private(set) var requests = 0

  /// The USM user list and engine-time cache of net-snmp are process-wide, and Debian's
  /// library is built without `NETSNMP_REENTRANT`: sessions open (which is when SNMPv3 engine
  /// discovery fills them) one at a time. Requests on open sessions run in parallel.
  private static let opening = Mutex(Opening())

  private struct Opening {
    var initialized = false
    /// Which target's keys each SNMPv3 user has on each engine: net-snmp keeps one localized
    /// key per user and engine, so a second target with other keys would silently use the
    /// first one's (or spoil them).
    var keys: [String: (fingerprint: Int, target: String)] = [:]
  }

  /// - Throws: ``SNMPError`` `.unreachable` when the host does not resolve or (SNMPv3) engine
  ///   discovery gets no answer; `.credentials` when the agent refuses the user.
  init(_ settings: SNMPTargetSettings) throws(SNMPError) {
    endpoint = settings.endpoint
    hint = settings.version == .v2c ? " (a wrong community is not answered either)" : ""
    var error = [CChar](repeating: 0, count: 512)
    let timeout = settings.timeout.components
    let micros = Int(timeout.seconds) * 1_000_000 + Int(timeout.attoseconds / 1_000_000_000_000)
    let result: Result<UnsafeMutableRawPointer, SNMPError> = Self.opening.withLock { opening in
      if !opening.initialized {
        synse_snmp_init()
        opening.initialized = true
      }
      let opened = settings.withCredentials { community, authKey, privKey in
        synse_snmp_open(
          settings.peerName, settings.version == .v3 ? synse_snmp_version_3() : synse_snmp_version_2c(), community,
          settings.user, settings.authProtocol?.code ?? 0, authKey, settings.privProtocol?.code ?? 0, privKey, settings.contextName,
          micros, Int32(settings.retries), &error, error.count)
      }
      guard let opened else {
        let text = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .failure(Self.classify(text.isEmpty ? "cannot open the session" : text))
      }
      return .success(opened)
    }
    handle = try result.get()
    if settings.version == .v3 { try claimKeys(settings) }
  }

  deinit { snmp_sess_close(handle) }

  /// The authoritative engine ID of the latest answer (SNMPv3, RFC 3414 §3.1.1), empty for v2c.
  private(set) var engineID: [UInt8] = []

  /// Registers this SNMPv3 session's protocols and keys for its user on the agent's engine
  /// (the engine ID of an answer to a GET of sysObjectID.0), or refuses them when
  /// another target of the process reaches that engine as that user with other ones: net-snmp
  /// keeps one localized key per user and engine, and would use the first target's for both.
  private func claimKeys(_ settings: SNMPTargetSettings) throws(SNMPError) {
    _ = try get([OID([1, 3, 6, 1, 2, 1, 1, 2, 0])])
    guard !engineID.isEmpty else { return }
    let key = engineID.map { String($0, radix: 16) }.joined(separator: ":") + " " + settings.user
    let fingerprint = settings.withCredentials { _, authKey, privKey in
      var hasher = Hasher()
      hasher.combine(settings.authProtocol?.rawValue)
      hasher.combine(authKey)
      hasher.combine(settings.privProtocol?.rawValue)
      hasher.combine(privKey)
      return hasher.finalize()
    }
    let owner = Self.opening.withLock { opening in
      if let owner = opening.keys[key] { return owner.fingerprint == fingerprint ? nil : owner.target }
      opening.keys[key] = (fingerprint, settings.name)
      return nil
    }
    if let owner {
      throw SNMPError(
        .credentials,
        "\(owner) reaches the same SNMP engine as user \(settings.user) with other protocols or keys; net-snmp keeps one key per user and engine, so both targets must give the same ones")
    }
  }

  /// GET of `oids` (at most as many as one PDU carries; callers chunk): each OID's value, the
  /// exceptions (`noSuchObject`…) included.
  func get(_ oids: [OID]) throws(SNMPError) -> [OID: SNMPValue] {
    var values: [OID: SNMPValue] = [:]
    for (oid, value) in try request(synse_snmp_msg_get(), oids) { values[oid] = value }
    return values
  }

  /// Walks several table columns at once (RFC 3416 §4.2.3): one GETBULK with a varbind per
  /// column still walking and as many rows as keep the response to about `budget` varbinds
  /// (agents cap a response: snmpsim at 64 varbinds, others by datagram size), until each
  /// column's subtree ends. Without `bulk`, GETNEXT with the same varbinds: a request a row. A
  /// GETBULK the agent finds too big is retried with half the budget.
  ///
  /// - Returns: for each column, its rows in order as (row index, value).
  func walk(_ columns: [OID], bulk: Bool = true, budget: Int = 60) throws(SNMPError) -> [OID: [(index: OID, value: SNMPValue)]] {
    var rows: [OID: [(index: OID, value: SNMPValue)]] = [:]
    var cursor: [OID: OID] = [:]
    var active = Array(Set(columns)).sorted()
    for column in active {
      rows[column] = []
      cursor[column] = column
    }
    var budget = max(1, budget)
    // A bound on rows per column: an agent that never ends a column (a looping agent) is cut off.
    var rounds = 0
    while !active.isEmpty, rounds < 10_000 {
      rounds += 1
      let varbinds: [(OID, SNMPValue)]
      let repetitions = max(1, budget / active.count)
      do throws(SNMPError) {
        varbinds = try request(
          bulk ? synse_snmp_msg_getbulk() : synse_snmp_msg_getnext(), active.map { cursor[$0]! }, maxRepetitions: bulk ? repetitions : nil)
      } catch where error.kind == .agent && error.message.contains("tooBig") && repetitions > 1 {
        budget /= 2
        continue
      }
      guard !varbinds.isEmpty else { break }
      var finished: Set<OID> = []
      for (position, (oid, value)) in varbinds.enumerated() {
        let column = active[position % active.count]
        guard !finished.contains(column) else { continue }
        // Out of the column, at the end of the view, or not increasing (RFC 3416 §4.2.2
        // requires lexicographic order; an agent breaking it would loop forever).
        guard value != .endOfMibView, let index = oid.suffix(after: column), cursor[column]! < oid else {
          finished.insert(column)
          continue
        }
        rows[column]!.append((index, value))
        cursor[column] = oid
      }
      active.removeAll { finished.contains($0) }
    }
    return rows
  }

  /// SET of one INTEGER (RFC 3416 §4.2.5); the agent's error status, such as notWritable, is
  /// an ``SNMPError`` `.agent`.
  /// Some agents (snmpsim among them) answer a SET of an object they lack with noError and an
  /// exception in the varbind: that is a refusal too.
  func set(_ oid: OID, integer: Int) throws(SNMPError) {
    let answer = try request(synse_snmp_msg_set(), [oid], setInteger: integer)
    if let (_, value) = answer.first, !value.isPresent {
      throw SNMPError(.agent, "\(endpoint) did not take the SET of \(oid): it answered \(value)")
    }
  }

  private func request(_ type: Int32, _ oids: [OID], maxRepetitions: Int? = nil, setInteger: Int? = nil) throws(SNMPError) -> [(OID, SNMPValue)] {
    guard let pdu = snmp_pdu_create(type) else { throw SNMPError(.agent, "cannot create a request") }
    if let maxRepetitions {
      pdu.pointee.errstat = 0  // non-repeaters
      pdu.pointee.errindex = maxRepetitions
    }
    for oid in oids {
      let parts = oid.parts.map { oid_t($0) }
      parts.withUnsafeBufferPointer { buffer in
        if var value = setInteger {
          _ = snmp_pdu_add_variable(pdu, buffer.baseAddress, buffer.count, UInt8(ASN.integer), &value, MemoryLayout<Int>.size)
        } else {
          _ = snmp_add_null_var(pdu, buffer.baseAddress, buffer.count)
        }
      }
    }
    requests += 1
    var response: UnsafeMutablePointer<netsnmp_pdu>?
    let status = snmp_sess_synch_response(handle, pdu, &response)
    defer { if let response { snmp_free_pdu(response) } }
    guard status == synse_snmp_success_status(), let response else {
      if status == synse_snmp_timeout_status() {
        throw SNMPError(.unreachable, "no answer from \(endpoint)\(hint)")
      }
      throw Self.classify(lastError())
    }
    if response.pointee.errstat != 0 {
      let text = String(cString: snmp_errstring(Int32(response.pointee.errstat)))
      throw SNMPError(.agent, "\(endpoint) answered \(text) (error index \(response.pointee.errindex))")
    }
    if let engine = response.pointee.securityEngineID, response.pointee.securityEngineIDLen > 0 {
      engineID = Array(UnsafeBufferPointer(start: engine, count: response.pointee.securityEngineIDLen))
    }
    var result: [(OID, SNMPValue)] = []
    var variable = response.pointee.variables
    while let current = variable {
      let name = OID((0..<current.pointee.name_length).map { UInt(current.pointee.name[$0]) })
      result.append((name, Self.value(current.pointee)))
      variable = current.pointee.next_variable
    }
    return result
  }

  private func lastError() -> String {
    guard let text = synse_snmp_error(handle) else { return "request failed" }
    defer { free(text) }
    return String(cString: text)
  }

  /// net-snmp's text for a failure, sorted by what the operator fixes.
  private static func classify(_ text: String) -> SNMPError {
    let lower = text.lowercased()
    let credentials = ["authentication", "unknown user", "decrypt", "usm", "key", "password", "engine id", "engineid"]
    if credentials.contains(where: lower.contains) && !lower.contains("timeout") { return SNMPError(.credentials, text) }
    if lower.contains("timeout") || lower.contains("unknown host") || lower.contains("resolve") { return SNMPError(.unreachable, text) }
    return SNMPError(.agent, text)
  }

  /// The value of one varbind, by its ASN.1 tag (X.690; SNMPv2-SMI application tags).
  private static func value(_ variable: netsnmp_variable_list) -> SNMPValue {
    switch Int(variable.type) {
    case ASN.integer: return .integer(Int64(variable.val.integer.pointee))
    case ASN.counter32, ASN.gauge32, ASN.timeTicks: return .unsigned(UInt64(UInt32(truncatingIfNeeded: variable.val.integer.pointee)))
    case ASN.counter64:
      let value = variable.val.counter64.pointee
      return .unsigned(UInt64(value.high) << 32 | UInt64(value.low & 0xffff_ffff))
    case ASN.octetString, ASN.opaque:
      guard let bytes = variable.val.string else { return .octets([]) }
      return .octets(Array(UnsafeBufferPointer(start: bytes, count: variable.val_len)))
    case ASN.ipAddress:
      guard let bytes = variable.val.string else { return .ipAddress([]) }
      return .ipAddress(Array(UnsafeBufferPointer(start: bytes, count: variable.val_len)))
    case ASN.objectIdentifier:
      guard let parts = variable.val.objid else { return .null }
      return .oid(OID((0..<variable.val_len / MemoryLayout<oid_t>.size).map { UInt(parts[$0]) }))
    case ASN.noSuchObject: return .noSuchObject
    case ASN.noSuchInstance: return .noSuchInstance
    case ASN.endOfMibView: return .endOfMibView
    default: return .null
    }
  }
}

/// net-snmp's `oid` (an `unsigned long`).
typealias oid_t = CNetSNMP.oid

/// ASN.1 tags of SNMP values (X.690; RFC 2578 §7.1 application types; RFC 3416 §3 exceptions).
private enum ASN {
  static let integer = 0x02, octetString = 0x04, null = 0x05, objectIdentifier = 0x06
  static let ipAddress = 0x40, counter32 = 0x41, gauge32 = 0x42, timeTicks = 0x43, opaque = 0x44, counter64 = 0x46
  static let noSuchObject = 0x80, noSuchInstance = 0x81, endOfMibView = 0x82
}
