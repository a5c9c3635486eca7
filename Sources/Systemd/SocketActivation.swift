import CSystemd
import Foundation

/// Listening sockets handed over by systemd socket activation (`sd_listen_fds`).
public enum SocketActivation {
  public struct Socket: Sendable, Equatable {
    public let descriptor: Int32
    /// The `FileDescriptorName=` of the socket unit (`LISTEN_FDNAMES`), if given.
    public let name: String?
  }

  /// The inherited listening sockets, consumed once: the `LISTEN_*` variables are unset so
  /// child processes do not take them for their own.
  public static func takeListeningSockets() -> [Socket] {
    let names = ProcessInfo.processInfo.environment["LISTEN_FDNAMES"]?.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    let count = sd_listen_fds(1)
    guard count > 0 else { return [] }
    return (0..<count).map { offset in
      let index = Int(offset)
      let name = names.flatMap { index < $0.count && !$0[index].isEmpty ? $0[index] : nil }
      return Socket(descriptor: SD_LISTEN_FDS_START + offset, name: name)
    }
  }

  /// Whether `descriptor` is a listening stream socket (TCP or Unix).
  public static func isListeningStreamSocket(_ descriptor: Int32) -> Bool {
    sd_is_socket(descriptor, 0, Int32(SOCK_STREAM.rawValue), 1) > 0
  }
}
