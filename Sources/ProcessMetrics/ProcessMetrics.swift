import Foundation

/// `process_*` metrics in the Prometheus text format, read from `/proc/self`, with the names
/// and meanings of the official clients' process collectors (dashboards query these).
public enum ProcessMetrics {
  public static func exposition() -> String {
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


  public static func format(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
  }

  /// Prometheus text with a `# HELP` line inserted before each family's `# TYPE` line
  /// (swift-metrics backends carry no help texts; promtool and people want them).
  public static func addingHelp(to raw: [UInt8], help: [String: String]) -> [UInt8] {
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
}
