import Hummingbird
import Logging

extension PluginRuntime {
  /// Serves `GET /metrics` on `address` (`host:port`, empty host = all interfaces) until
  /// graceful shutdown.
  func serveMetrics(_ metrics: PluginMetrics, at address: String) async throws {
    let colon = address.lastIndex(of: ":")
    let host = colon.map { String(address[..<$0]) }.flatMap { $0.isEmpty ? nil : $0 } ?? "0.0.0.0"
    guard let colon, let port = Int(address[address.index(after: colon)...]) else {
      logger.error("metrics.address must be host:port; plugin metrics not served", metadata: ["address": "\(address)"])
      return
    }
    let router = Router()
    router.get("metrics") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }
    var quiet = logger
    quiet.logLevel = .warning
    let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "synse-plugin-metrics"), logger: quiet)
    logger.info("serving plugin metrics", metadata: ["address": "\(host):\(port)", "path": "/metrics"])
    try await app.run()
  }
}
