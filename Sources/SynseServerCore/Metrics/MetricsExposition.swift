import Foundation
import Prometheus

/// The `/metrics` body: the registry's families with a `# HELP` line each (swift-metrics
/// backends carry none), then process metrics from `/proc/self`, then device readings.
public enum MetricsExposition {
  static let help: [String: String] = [
    "synse_http_request_count_total": "HTTP requests handled, by route and status.",
    "synse_http_request_latency_sec": "Seconds from receiving an HTTP request to sending its response.",
    "synse_http_response_bytes_total": "HTTP response body bytes sent (streamed responses excluded).",
    "synse_websocket_request_count_total": "WebSocket request messages handled.",
    "synse_websocket_request_latency_sec": "Seconds to handle one WebSocket request.",
    "synse_websocket_request_bytes_total": "Size of received WebSocket request messages.",
    "synse_websocket_response_bytes_total": "Size of sent WebSocket messages, streamed readings included.",
    "synse_websocket_error_response_count_total": "WebSocket error messages sent.",
    "synse_websocket_session_count": "Open WebSocket sessions per client address.",
    "synse_grpc_message_sent_total": "RPCs issued to plugins.",
    "synse_grpc_message_received_total": "Messages received from plugins (one per unary call, one per streamed message).",
    "synse_grpc_request_latency_sec": "Seconds for a plugin RPC to return (to open the stream, for streaming RPCs).",
    "synse_plugin_active_state": "1 while the plugin is active, 0 while it is unreachable.",
    "synse_plugin_connect_count_total": "Plugin transitions to active (registration and reconnections).",
    "synse_plugin_disconnect_count_total": "Plugin transitions to inactive.",
    "synse_plugin_disabled": "1 while the plugin is disabled (no longer configured).",
    "synse_registered_devices": "Devices in the server's device cache.",
  ]

  /// The registry's text with HELP lines added before each family's TYPE line.
  public static func render(_ metrics: ServerMetrics) -> [UInt8] {
    let raw = metrics.registry.emitToBuffer()
    var output: [UInt8] = []
    output.reserveCapacity(raw.count + 2048)
    for line in raw.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      if line.starts(with: Array("# TYPE ".utf8)) {
        let name = String(decoding: line.dropFirst(7).prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
        if let text = help[name] { output += Array("# HELP \(name) \(text)\n".utf8) }
      }
      output += line
      output.append(UInt8(ascii: "\n"))
    }
    while output.count >= 2 && output[output.count - 1] == UInt8(ascii: "\n") && output[output.count - 2] == UInt8(ascii: "\n") {
      output.removeLast()
    }
    return output
  }

  /// `process_*` metrics as dashboards expect them, from `/proc/self`.
  public static func processMetrics() -> String {
    var lines: [String] = []
    func gauge(_ name: String, _ help: String, _ value: Double?, type: String = "gauge") {
      guard let value else { return }
      lines += ["# HELP \(name) \(help)", "# TYPE \(name) \(type)", "\(name) \(format(value))"]
    }
    let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    let stat = (try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8)) ?? ""
    // Fields after the parenthesised command name, which may itself contain spaces.
    let fields = stat.split(separator: ")").last.map { $0.split(separator: " ").map(String.init) } ?? []
    func field(_ number: Int) -> Double? {
      let index = number - 3  // field 3 (state) is the first after the name
      return index >= 0 && index < fields.count ? Double(fields[index]) : nil
    }
    let cpu = field(14).flatMap { user in field(15).map { (user + $0) / ticks } }
    gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", cpu, type: "counter")
    gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", field(23))
    gauge("process_resident_memory_bytes", "Resident memory size in bytes.", field(24).map { $0 * pageSize })
    if let startTicks = field(22), let uptime = (try? String(contentsOfFile: "/proc/uptime", encoding: .utf8))?.split(separator: " ").first.flatMap({ Double($0) }) {
      let bootTime = Date().timeIntervalSince1970 - uptime
      gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", (bootTime + startTicks / ticks).rounded())
    }
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count
    gauge("process_open_fds", "Number of open file descriptors.", fds.map(Double.init))
    var limit = rlimit()
    if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
      gauge("process_max_fds", "Maximum number of open file descriptors.", Double(limit.rlim_cur))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func format(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
  }
}
