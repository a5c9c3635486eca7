import AsyncHTTPClient
import NIOCore
public import Logging
public import ServiceLifecycle

/// The `webhooks` destinations' delivery loops (``WebhookDelivery``), one task each, sharing
/// one AsyncHTTPClient (connections pooled per host). Graceful shutdown cancels them at once,
/// attempts in flight included: undelivered events are not kept across runs (the journal
/// is not either), so there is nothing to wait for.
public struct WebhookService: Service, CustomStringConvertible {
  let destinations: [WebhookDestination]
  let journal: EventJournal
  let metrics: ServerMetrics?
  let logger: Logger

  public init(destinations: [WebhookDestination], journal: EventJournal, metrics: ServerMetrics?, logger: Logger) {
    self.destinations = destinations
    self.journal = journal
    self.metrics = metrics
    self.logger = logger
  }

  public var description: String { "WebhookService(\(destinations.map(\.name).joined(separator: ", ")))" }

  public func run() async throws {
    for destination in destinations { metrics?.webhookCountersAtZero(destination.name) }
    // Redirects are not followed: a POST redirected would be replayed elsewhere, or turned
    // into a GET; a moved receiver is a configuration error, counted as a refusal.
    var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10)))
    // A refused connection fails the attempt at once, so the destination's own backoff (logged
    // and counted) is the one retry schedule, not AsyncHTTPClient's silent reconnecting until
    // the attempt's timeout.
    configuration.connectionPool.retryConnectionEstablishment = false
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    let (destinations, journal, metrics, logger) = (destinations, journal, metrics, logger)
    await cancelWhenGracefulShutdown {
      await withDiscardingTaskGroup { group in
        for destination in destinations {
          group.addTask { await WebhookDelivery(destination: destination, journal: journal, client: client, metrics: metrics, logger: logger).run() }
        }
        // No destinations: stay until shutdown, as every service of the group does.
        if destinations.isEmpty { group.addTask { try? await Task.sleep(for: .seconds(86_400 * 365 * 100)) } }
      }
    }
    try? await client.shutdown()
  }
}
