import Foundation
import NIOCore
import Synchronization
public import ServiceLifecycle

/// A listener that could not be set up (the port is taken, the address is not local, no
/// permission): `address` is `host:port` as configured, `reason` the system's words.
public struct ListenError: Error, CustomStringConvertible {
  public let address: String
  public let reason: String
  public var description: String { "cannot listen on \(address): \(reason)" }
}

/// Whether a server has started listening: set from its `onServerRunning` callback.
public final class ListeningFlag: Sendable {
  private let value = Mutex(false)
  public init() {}
  public func set() { value.withLock { $0 = true } }
  public var isSet: Bool { value.withLock { $0 } }
}

/// Runs an HTTP server service and turns a failure before it listens into a ``ListenError``
/// naming the address: NIO's own error ("bind(descriptor:ptr:bytes:): Address already in
/// use") does not say which address.
public struct ListenerService: Service {
  let server: any Service
  let address: String
  let listening: ListeningFlag

  /// `listening` must be set by `server` once it listens (its `onServerRunning`).
  public init(_ server: any Service, address: String, listening: ListeningFlag) {
    self.server = server
    self.address = address
    self.listening = listening
  }

  public func run() async throws {
    do {
      try await server.run()
    } catch {
      guard !listening.isSet else { throw error }
      throw ListenError(address: address, reason: Self.reason(error))
    }
  }

  static func reason(_ error: any Error) -> String {
    if let io = error as? IOError {
      return "\(String(cString: strerror(io.errnoCode))) (errno \(io.errnoCode))"
    }
    return "\(error)"
  }
}
