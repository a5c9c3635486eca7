import Glibc
import Logging

/// The process's open-file limit, raised for `http.max_connections`: each connection is a
/// descriptor, and a soft limit of 1,024 (the usual default) would have accept fail long before
/// the cap, with no answer to the client. The soft limit goes up to the hard one, as Go's
/// runtime does for every Go server; a hard limit below the cap is a warning.
enum DescriptorLimit {
  /// Descriptors the server uses besides its API connections (plugins, metrics, files).
  static let reserve = 256

  static func raise(for maxConnections: Int, logger: Logger) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
    let wanted = rlim_t(clamping: maxConnections.addingReportingOverflow(reserve).overflow ? .max : maxConnections + reserve)
    if limit.rlim_cur < wanted && limit.rlim_cur < limit.rlim_max {
      var raised = limit
      raised.rlim_cur = min(limit.rlim_max, max(wanted, limit.rlim_cur))
      if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
    }
    if limit.rlim_cur < wanted {
      logger.warning(
        "the open-file limit (\(limit.rlim_cur)) is below http.max_connections + \(reserve): connections beyond it fail to be accepted; raise LimitNOFILE or lower http.max_connections")
    }
  }
}
