import Foundation

/// A failed read or write of one sysfs attribute, with the file and errno.
public struct SysfsError: Error, Sendable, Equatable, CustomStringConvertible {
  public let path: String
  public let errno: Int32
  /// Set when the read did not return before its deadline (the driver blocks).
  public let timedOut: Bool

  public init(path: String, errno: Int32, timedOut: Bool = false) {
    self.path = path
    self.errno = errno
    self.timedOut = timedOut
  }

  public var description: String {
    timedOut ? "\(path): read did not return in time" : "\(path): \(String(cString: strerror(errno))) (errno \(errno))"
  }

  /// The device is gone (unplugged, driver unbound): rediscovery, not retries, helps.
  public var deviceGone: Bool { [ENODEV, ENXIO, ENOENT].contains(errno) }
  /// The attribute cannot be read in this state and will not start working by retrying.
  public var unsupported: Bool { [EOPNOTSUPP, EINVAL].contains(errno) }
}

/// How the plugin touches sysfs: the seam for error injection in tests, since plain files
/// cannot fail with EIO or block.
public protocol SysfsFiles: Sendable {
  func read(_ path: String) throws(SysfsError) -> String
  func write(_ path: String, _ value: String) throws(SysfsError)
}

/// Plain POSIX reads: one `read()` of at most a page, at most one retry on EAGAIN (a loop
/// on EAGAIN is what made node_exporter spin), trailing newline stripped.
public struct PosixSysfsFiles: SysfsFiles {
  public init() {}

  public func read(_ path: String) throws(SysfsError) -> String {
    var lastError: Int32 = 0
    for _ in 0..<2 {
      let descriptor = open(path, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { throw SysfsError(path: path, errno: errno) }
      // A page on the stack: sysfs never returns more, and a heap buffer per read showed in
      // the pass time.
      let text = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer -> String? in
        let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
        lastError = errno
        guard count >= 0 else { return nil }
        var end = count
        while end > 0, buffer[end - 1] == 10 { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<end]), as: UTF8.self)
      }
      close(descriptor)
      if let text { return text }
      if lastError != EAGAIN { break }
    }
    throw SysfsError(path: path, errno: lastError)
  }

  public func write(_ path: String, _ value: String) throws(SysfsError) {
    // O_TRUNC is ignored by sysfs and needed for the regular files of a test tree.
    let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
    guard descriptor >= 0 else { throw SysfsError(path: path, errno: errno) }
    defer { close(descriptor) }
    let bytes = Array(value.utf8)
    let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw SysfsError(path: path, errno: written < 0 ? errno : EIO) }
  }
}
