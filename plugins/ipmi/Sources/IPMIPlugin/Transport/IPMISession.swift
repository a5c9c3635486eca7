import SynseSupport
import CFreeIPMI
import Foundation

/// One RMCP (IPMI 1.5) or RMCP+ (IPMI 2.0) session with a BMC, through FreeIPMI's libfreeipmi
/// (`ipmi_ctx_open_outofband`, `_2_0`).
///
/// Not thread-safe, and every call blocks until the BMC answers or `timeout` passes: one
/// session belongs to one thread (a ``SerialThread``), never to the Swift cooperative pool.
final class IPMISession {
  let settings: IPMIEndpointSettings
  private let context: ipmi_ctx_t

  /// Opens the session.
  ///
  /// - Throws: ``IPMIError`` with FreeIPMI's message: `.credentials` for a refused user,
  ///   password or privilege, `.unreachable` for a timeout or an unknown host.
  init(_ settings: IPMIEndpointSettings) throws(IPMIError) {
    guard let context = ipmi_ctx_create() else { throw IPMIError(.bmc, "out of memory creating an IPMI context") }
    self.settings = settings
    self.context = context
    // FreeIPMI takes `host:port`, an IPv6 address in brackets.
    let host = settings.endpoint
    // FreeIPMI's timeouts are milliseconds: the session's whole, and one retransmission's.
    let session = UInt32(clamping: settings.timeout.components.seconds * 1000 + settings.timeout.components.attoseconds / 1_000_000_000_000_000)
    // FreeIPMI refuses a retransmission timeout not below the session's.
    let retransmission = max(session / 4, min(250, session / 2))
    let opened: Int32 = switch settings.protocolVersion {
    case .lanplus:
      // The open-session-privilege workaround: ipmi_sim and several vendors' BMCs refuse the
      // requested privilege in the RMCP+ open-session request (ipmitool, ipmi-sensors -W opensesspriv).
      ipmi_ctx_open_outofband_2_0(
        context, host, settings.username, settings.password, nil, 0, settings.privilege.level, settings.cipherSuite,
        session, retransmission, UInt32(IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE), UInt32(IPMI_FLAGS_DEFAULT))
    case .lan:
      ipmi_ctx_open_outofband(
        context, host, settings.username, settings.password, UInt8(IPMI_AUTHENTICATION_TYPE_MD5), settings.privilege.level,
        session, retransmission, 0, UInt32(IPMI_FLAGS_DEFAULT))
    }
    if opened < 0 {
      let error = Self.error(context)
      ipmi_ctx_destroy(context)
      // FreeIPMI says only "internal IPMI error" for, among others, a cipher suite the BMC
      // lacks: name what was asked for, so the operator has something to change.
      guard error.kind == .bmc else { throw error }
      let asked = settings.protocolVersion == .lanplus ? "lanplus, cipher suite \(settings.cipherSuite)" : "lan"
      throw IPMIError(.bmc, "\(error.message) (opening a session: protocol \(asked), privilege \(settings.privilege.rawValue))")
    }
  }

  deinit {
    ipmi_ctx_close(context)
    ipmi_ctx_destroy(context)
  }

  var raw: ipmi_ctx_t { context }

  private var guid: String?

  /// The BMC's System GUID (Get System GUID, IPMI 2.0 §22.14) as lowercase 8-4-4-4-12 hex,
  /// asked once per session: a BMC replaced at the same address is a new session.
  func systemGUID() throws(IPMIError) -> String {
    if let guid { return guid }
    let read = try fetchSystemGUID()
    guid = read
    return read
  }

  private func fetchSystemGUID() throws(IPMIError) -> String {
    let bytes = try command(synse_tmpl_get_system_guid_rs(), netFunction: UInt8(IPMI_NET_FN_APP_RQ), { ipmi_cmd_get_system_guid($0, $1) }) { object in
      var guid = [UInt8](repeating: 0, count: 16)
      let count = fiid_obj_get_data(object, "guid", &guid, 16)
      return count == 16 ? guid : nil
    }
    guard let bytes else { throw IPMIError(.bmc, "Get System GUID returned no GUID") }
    // In the order the BMC sends it: vendors disagree on the byte order, and an ID needs only
    // the GUID to be stable.
    let hex = bytes.map { String(format: "%02x", $0) }.joined()
    let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
    return parts.joined(separator: "-")
  }

  /// Get Chassis Status (IPMI 2.0 §28.2): whether power is on, and the identify state when
  /// the BMC reports it (nil when not).
  func chassisStatus() throws(IPMIError) -> ChassisStatus {
    let status = try command(synse_tmpl_get_chassis_status_rs(), netFunction: chassis, { ipmi_cmd_get_chassis_status($0, $1) }) { object -> ChassisStatus? in
      var power: UInt64 = 0
      guard fiid_obj_get(object, "current_power_state.power_is_on", &power) == 1 else { return nil }
      var supported: UInt64 = 0
      var identify: UInt64 = 0
      let hasIdentify = fiid_obj_get(object, "misc_chassis_state.chassis_identify_command_and_state_info_supported", &supported) == 1
        && supported == 1 && fiid_obj_get(object, "misc_chassis_state.chassis_identify_state", &identify) == 1
      return ChassisStatus(powerOn: power == 1, identify: hasIdentify ? ChassisStatus.Identify(rawValue: Int(identify)) : nil)
    }
    guard let status else { throw IPMIError(.bmc, "Get Chassis Status returned no power state") }
    return status
  }

  /// Chassis Control (IPMI 2.0 §28.3).
  func chassisControl(_ control: ChassisControl) throws(IPMIError) {
    try command(synse_tmpl_chassis_control_rs(), netFunction: chassis, { ipmi_cmd_chassis_control($0, control.rawValue, $1) }) { _ in () }
  }

  /// Chassis Identify (IPMI 2.0 §28.5): on for `seconds` (1–255), on until turned off (nil),
  /// or off (0).
  ///
  /// Sent raw and judged by its completion code alone, as ipmitool does: the response is only
  /// that code, and a BMC that sends more after it (OpenIPMI's `ipmi_sim` sends whatever its
  /// buffer held) has still done it. FreeIPMI's `ipmi_cmd_chassis_identify` drops such a
  /// response as malformed and waits for the session timeout.
  func chassisIdentify(seconds: UInt8?) throws(IPMIError) {
    let force = seconds == nil ? UInt8(IPMI_CHASSIS_FORCE_IDENTIFY_ON) : UInt8(IPMI_CHASSIS_FORCE_IDENTIFY_OFF)
    let request: [UInt8] = [UInt8(IPMI_CMD_CHASSIS_IDENTIFY), seconds ?? 0, force]
    // Byte 0 of the response is the command, byte 1 the completion code; an IPMI message over
    // LAN is shorter than 256 bytes.
    var response = [UInt8](repeating: 0, count: 1024)
    let count = ipmi_cmd_raw(context, UInt8(IPMI_BMC_IPMB_LUN_BMC), chassis, request, UInt32(request.count), &response, UInt32(response.count))
    guard count >= 0 else { throw Self.error(context) }
    guard count >= 2, response[0] == UInt8(IPMI_CMD_CHASSIS_IDENTIFY) else {
      throw IPMIError(.bmc, "Chassis Identify: the BMC's answer (\(count) bytes) holds no completion code")
    }
    let code = response[1]
    guard code == 0 else {
      var text = [CChar](repeating: 0, count: Int(IPMI_ERR_STR_MAX_LEN))
      let meaning = ipmi_completion_code_strerror_r(UInt8(IPMI_CMD_CHASSIS_IDENTIFY), chassis, code, &text, text.count) == 0 ? String(cBuffer: text) : "unknown"
      throw IPMIError(.bmc, "Chassis Identify: completion code 0x\(String(code, radix: 16)), \(meaning)")
    }
  }

  private var chassis: UInt8 { UInt8(IPMI_NET_FN_CHASSIS_RQ) }

  /// Runs one FreeIPMI command with a response object of `template` and reads it.
  /// - Parameter netFunction: the request's network function, to name a completion code.
  /// - Throws: ``IPMIError`` with FreeIPMI's message, and the completion code's meaning when
  ///   the BMC answered with one (IPMI 2.0 §5.2, table 5-2).
  func command<T>(
    _ template: UnsafeMutablePointer<fiid_field_t>?, netFunction: UInt8, _ call: (ipmi_ctx_t, fiid_obj_t) -> Int32, read: (fiid_obj_t) -> T
  ) throws(IPMIError) -> T {
    guard let object = fiid_obj_create(template) else { throw IPMIError(.bmc, "out of memory creating a response object") }
    defer { fiid_obj_destroy(object) }
    guard call(context, object) >= 0 else {
      let error = Self.error(context)
      var code: UInt64 = 0
      guard fiid_obj_get(object, "comp_code", &code) == 1, code != 0 else { throw error }
      var text = [CChar](repeating: 0, count: Int(IPMI_ERR_STR_MAX_LEN))
      let meaning = ipmi_completion_code_strerror_cmd_r(object, netFunction, &text, text.count) == 0 ? String(cBuffer: text) : "unknown"
      throw IPMIError(error.kind, "\(error.message): completion code 0x\(String(code, radix: 16)), \(meaning)")
    }
    return read(object)
  }

  static func error(_ context: ipmi_ctx_t) -> IPMIError {
    let number = UInt32(bitPattern: ipmi_ctx_errnum(context))
    let message = String(cString: ipmi_ctx_errormsg(context))
    let credentials = [
      IPMI_ERR_USERNAME_INVALID, IPMI_ERR_PASSWORD_INVALID, IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT,
      IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED, IPMI_ERR_K_G_INVALID, IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE,
      IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE,
      // IPMI 1.5 BMCs do not answer a wrong password: FreeIPMI's name for that silence.
      IPMI_ERR_PASSWORD_VERIFICATION_TIMEOUT,
    ].map(\.rawValue)
    let unreachable = [IPMI_ERR_SESSION_TIMEOUT, IPMI_ERR_CONNECTION_TIMEOUT, IPMI_ERR_HOSTNAME_INVALID].map(\.rawValue)
    if credentials.contains(number) { return IPMIError(.credentials, message) }
    if unreachable.contains(number) { return IPMIError(.unreachable, message) }
    return IPMIError(.bmc, message)
  }
}

/// What Get Chassis Status says (IPMI 2.0 §28.2, table 28-3).
struct ChassisStatus: Equatable, Sendable {
  enum Identify: Int, Sendable {
    case off = 0, temporary = 1, indefinite = 2
  }

  var powerOn: Bool
  var identify: Identify?
}

/// Chassis Control's commands (IPMI 2.0 §28.3, table 28-4), by Synse action value.
enum ChassisControl: UInt8, Sendable, CaseIterable {
  case off = 0, on = 1, cycle = 2, reset = 3, soft = 5

  var action: String {
    switch self {
    case .off: "off"
    case .on: "on"
    case .cycle: "cycle"
    case .reset: "reset"
    case .soft: "soft"
    }
  }
}
