import Foundation
import Synchronization

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
  /// Reads a file that is read again every pass (a value, an alarm flag); `read` by default.
  func poll(_ path: String) throws(SysfsError) -> String
  /// The files `poll` will be asked for from now on (after each discovery); others may be
  /// let go. Nothing by default.
  func pollOnly(_ paths: Set<String>)
}

extension SysfsFiles {
  public func poll(_ path: String) throws(SysfsError) -> String { try read(path) }
  public func pollOnly(_ paths: Set<String>) {}
}

/// Plain POSIX reads: one `read()` of at most a page, at most one retry on EAGAIN (a loop
/// on EAGAIN is what made node_exporter spin), trailing newline stripped.
///
/// Polled files are kept open and re-read with `pread` at offset 0, which makes sysfs call the
/// driver again (docs/hwmon.md §1.7): one system call instead of open, read and close with a path
/// walk (~0.5 µs against ~4.7 µs here). At most `keepOpen` files stay open; a file whose read
/// fails is closed (a device that went away), and files no longer polled after a discovery are
/// closed once no read uses them.
public struct PosixSysfsFiles: SysfsFiles {
  private let descriptors: OpenFiles

  public init(keepOpen: Int = 512) {
    descriptors = OpenFiles(limit: keepOpen)
  }

  public func poll(_ path: String) throws(SysfsError) -> String {
    guard let file = descriptors.checkOut(path) else { return try read(path) }
    defer { descriptors.checkIn(file) }
    var lastError: Int32 = 0
    for _ in 0..<2 {
      if let text = Self.readPage(file.descriptor, offset: 0, error: &lastError) { return text }
      if lastError != EAGAIN { break }
    }
    descriptors.drop(file)
    throw SysfsError(path: path, errno: lastError)
  }

  public func pollOnly(_ paths: Set<String>) { descriptors.keep(paths) }

  /// One `pread` (or `read` when `offset` is nil) of at most a page, trailing newlines cut.
  static func readPage(_ descriptor: Int32, offset: off_t?, error: inout Int32) -> String? {
    // A page on the stack: sysfs never returns more, and a heap buffer per read showed in
    // the pass time.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer -> String? in
      let count = offset.map { pread(descriptor, buffer.baseAddress, buffer.count, $0) } ?? Foundation.read(descriptor, buffer.baseAddress, buffer.count)
      error = errno
      guard count >= 0 else { return nil }
      var end = count
      while end > 0, buffer[end - 1] == 10 { end -= 1 }
      return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<end]), as: UTF8.self)
    }
  }

  public func read(_ path: String) throws(SysfsError) -> String {
    var lastError: Int32 = 0
    for _ in 0..<2 {
      let descriptor = open(path, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { throw SysfsError(path: path, errno: errno) }
      let text = Self.readPage(descriptor, offset: nil, error: &lastError)
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

/// The descriptors `PosixSysfsFiles` keeps open, by path. A descriptor in use by a read is
/// closed only when that read is done, so a discovery never pulls one from under a read
/// (a reused descriptor number would read another file).
final class OpenFiles: Sendable {
  final class File: Sendable {
    let path: String
    let descriptor: Int32
    /// Reads using it, and whether it is to be closed when they are done.
    let use = Mutex<(readers: Int, retired: Bool)>((0, false))
    init(path: String, descriptor: Int32) {
      self.path = path
      self.descriptor = descriptor
    }
  }

  let limit: Int
  private let files = Mutex<[String: File]>([:])

  init(limit: Int) { self.limit = limit }

  /// The open file for `path`, opened now if there is room; nil = read it the plain way.
  func checkOut(_ path: String) -> File? {
    if let file = files.withLock({ $0[path] }), enter(file) { return file }
    guard files.withLock({ $0.count < limit }) else { return nil }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }  // the plain read reports the error
    let fresh = File(path: path, descriptor: descriptor)
    let kept = files.withLock { table -> File in
      if let existing = table[path] { return existing }
      table[path] = fresh
      return fresh
    }
    if kept !== fresh { close(descriptor) }
    return enter(kept) ? kept : nil
  }

  func checkIn(_ file: File) {
    let closeNow = file.use.withLock { use -> Bool in
      use.readers -= 1
      return use.retired && use.readers == 0
    }
    if closeNow { close(file.descriptor) }
  }

  /// Stops keeping a file (its read failed); closed once its readers are done.
  func drop(_ file: File) {
    files.withLock { table in if table[file.path] === file { table[file.path] = nil } }
    retire(file)
  }

  /// Closes every file not in `paths`.
  func keep(_ paths: Set<String>) {
    let gone = files.withLock { table -> [File] in
      let gone = table.values.filter { !paths.contains($0.path) }
      for file in gone { table[file.path] = nil }
      return gone
    }
    gone.forEach(retire)
  }

  private func enter(_ file: File) -> Bool {
    file.use.withLock { use in
      guard !use.retired else { return false }
      use.readers += 1
      return true
    }
  }

  private func retire(_ file: File) {
    let closeNow = file.use.withLock { use -> Bool in
      guard !use.retired else { return false }
      use.retired = true
      return use.readers == 0
    }
    if closeNow { close(file.descriptor) }
  }

  deinit {
    files.withLock { table in for file in table.values { close(file.descriptor) } }
  }
}
