import Foundation

/// What tells a file's change: inode (a rename over it), size and modification time.
/// (Here, away from NIO: its CNIOLinux declares `stat` too, and a release build of a module
/// importing both picks that one.)
public struct FileStamp: Equatable, Sendable {
  var inode: UInt64 = 0
  var size: Int64 = -1
  var seconds = 0
  var nanoseconds = 0

  public init(_ path: String) {
    var info = stat()
    guard stat(path, &info) == 0 else { return }
    inode = UInt64(info.st_ino)
    size = Int64(info.st_size)
    seconds = info.st_mtim.tv_sec
    nanoseconds = info.st_mtim.tv_nsec
  }
}
