import Hummingbird
import Logging
import SynseSupport

extension PluginRuntime {
  /// Serves `GET /metrics` on `address` (a ``HostPort``: `host:port`, `[v6]:port`, empty
  /// host = all interfaces) until graceful shutdown; an address that is none is logged and
  /// nothing is served.
  func serveMetrics(_ metrics: PluginMetrics, at address: String) async throws {
    let parsed: HostPort
    do {
      parsed = try HostPort(parsing: address)
    } catch {
      logger.error("metrics.address must be host:port; plugin metrics not served", metadata: ["address": "\(address)", "error": "\(error)"])
      return
    }
    let (host, port) = (parsed.host(or: "0.0.0.0"), parsed.port)
    let router = Router()
    router.get("metrics") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
    }
    var quiet = logger
    quiet.logLevel = .warning
    let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "synse-plugin-metrics"), logger: quiet)
    logger.info("serving plugin metrics", metadata: ["address": "\(HostPort(host: host, port: port))", "path": "/metrics"])
    try await app.run()
  }
}
