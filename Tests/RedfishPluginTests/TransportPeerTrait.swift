import Foundation
import Testing

/// Starts one peer for a whole suite (Swift Testing calls a non-recursive suite trait's scope
/// once) and stops it when the suite is done; tests read it from ``current``.
struct TransportPeerTrait: SuiteTrait, TestScoping {
  @TaskLocal static var current: TransportPeer?

  let start: @Sendable () throws -> TransportPeer

  func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
    let peer = try await offThePool(start)
    defer { peer.stop() }
    try await Self.$current.withValue(peer, operation: function)
  }

  /// The suite's peer; fails the test (rather than trapping) if the trait is missing.
  static func peer() throws -> TransportPeer {
    try #require(current, "the suite has no .peer trait")
  }
}

extension Trait where Self == TransportPeerTrait {
  static func peer(_ start: @escaping @Sendable () throws -> TransportPeer) -> Self { TransportPeerTrait(start: start) }
}

/// Runs blocking `work` (starting a peer: a process and a wait for its port, seconds) on a
/// thread of its own. On a Swift concurrency thread it held one of the pool's two threads on
/// a 2-core machine: two suites starting peers at once stalled every other test by seconds.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    Thread { continuation.resume(with: Result { try work() }) }.start()
  }
}
