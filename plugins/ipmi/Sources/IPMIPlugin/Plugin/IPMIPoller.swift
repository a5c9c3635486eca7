import Logging
import SynseSDK

/// Polls one BMC every read interval (a ``PeerPoller``; the FreeIPMI calls themselves run on
/// the BMC's thread, ``BMCConnection``): the latest poll serves reads and rescans, the latest
/// failure the BMC's health check.
final class IPMIPoller: Sendable {
  let connection: BMCConnection
  private let peer: PeerPoller<BMCPoll, IPMIError>
  var endpoint: String { connection.settings.endpoint }

  init(_ connection: BMCConnection, interval: Duration, logger: Logger) {
    self.connection = connection
    var logger = logger
    logger[metadataKey: "endpoint"] = "\(connection.settings.endpoint)"
    peer = PeerPoller(name: "ipmi \(connection.settings.endpoint)", interval: interval, logger: logger) { () throws(IPMIError) in
      try await connection.poll()
    }
  }

  func start() { peer.start() }
  func stop() { peer.stop() }
  func pollOnce() async { await peer.pollOnce() }
  func firstPoll(within timeout: Duration) async { await peer.firstPoll(within: timeout) }
  /// The latest poll, for devices (also while the BMC fails).
  var inventory: BMCPoll? { peer.inventory }
  /// The latest poll while the BMC answers; nil while it fails.
  var current: BMCPoll? { peer.current }
  /// - Throws: ``HandlerError`` naming the BMC and FreeIPMI's reason while its polls fail.
  func health() throws(HandlerError) { try peer.health() }
}
