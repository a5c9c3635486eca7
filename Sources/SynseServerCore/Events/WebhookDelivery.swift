import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One destination's delivery loop: follows the ``EventJournal`` by its own cursor (from the
/// first event of the run) and POSTs each matching event's `data` to the destination, strictly
/// in order, retrying the same event with ``WebhookBackoff`` until the receiver takes it
/// (2xx) or refuses it (3xx, 4xx other than 408 and 429). Publishing never waits on it:
/// while the receiver is down, new events queue up to `queue_size` and the oldest are
/// dropped beyond that (the journal's own bound applies too).
///
/// Request: `POST <url>`, body the event's compact JSON, headers `Content-Type:
/// application/json`, `X-Synse-Event: <kind>`, `X-Synse-Event-Id: <id>`, `X-Synse-Signature:
/// sha256=<hex>` with a `secret`, `X-Synse-Context` with a `context`, and the destination's
/// `headers`.
struct WebhookDelivery: Sendable {
  let destination: WebhookDestination
  let journal: EventJournal
  let client: HTTPClient
  let metrics: ServerMetrics?
  let logger: Logger

  /// Runs until the task is cancelled (graceful shutdown); an attempt in flight is cancelled too.
  func run() async {
    var subscription = EventSubscription(journal: journal, filter: destination.filter, after: 0)
    var queue = WebhookQueue(capacity: destination.queueSize)
    var failures = 0
    while !Task.isCancelled {
      guard !queue.isEmpty else {
        guard let batch = await subscription.next(waiting: nil) else { return }
        take(batch, into: &queue)
        continue
      }
      // Everything published meanwhile first, so the bound holds however slow the receiver is.
      while journal.lastID > subscription.cursor, let batch = await subscription.next(limit: 1024, waiting: .zero) {
        take(batch, into: &queue)
      }
      guard let event = queue.first else { continue }
      switch await attempt(event) {
      case .delivered:
        metrics?.webhookDelivered(destination.name)
        queue.removeFirst(event.id)
        failures = 0
      case .refused(let reason):
        metrics?.webhookFailed(destination.name)
        logger.warning("webhook \(destination.name): event \(event.id) (\(event.kind.rawValue)) refused, not retried: \(reason)")
        queue.removeFirst(event.id)
        failures = 0
      case .retry(let reason, let retryAfter):
        guard !Task.isCancelled else { return }
        failures += 1
        metrics?.webhookRetried(destination.name)
        let delay = destination.retry.delay(afterFailures: failures, retryAfter: retryAfter)
        let level: Logger.Level = failures == 1 ? .warning : .debug
        logger.log(level: level, "webhook \(destination.name): event \(event.id) not delivered (\(reason)); retry \(failures) in \(delay)")
        // Wait, taking new events meanwhile (the queue bound holds while the receiver is down).
        let deadline = ContinuousClock.now + delay
        while ContinuousClock.now < deadline {
          guard let batch = await subscription.next(limit: 1024, waiting: deadline - ContinuousClock.now) else { return }
          take(batch, into: &queue)
        }
      }
    }
  }

  private func take(_ batch: EventSubscription.Batch, into queue: inout WebhookQueue) {
    // `missed` counts events of every kind, the journal cannot tell which would have matched.
    let dropped = Int(batch.missed) + queue.append(batch.events)
    guard dropped > 0 else { return }
    metrics?.webhookDropped(destination.name, count: dropped)
    logger.warning("webhook \(destination.name): \(dropped) events dropped unsent (more than queue_size \(destination.queueSize) behind)")
  }

  /// One POST of `event`.
  func attempt(_ event: ServerEvent) async -> WebhookOutcome {
    var request = HTTPClientRequest(url: destination.url)
    request.method = .POST
    let body = event.data.compact
    request.headers.add(name: "Content-Type", value: "application/json")
    request.headers.add(name: "User-Agent", value: "synse-server")
    request.headers.add(name: "X-Synse-Event", value: event.kind.rawValue)
    request.headers.add(name: "X-Synse-Event-Id", value: String(event.id))
    if let context = destination.context { request.headers.add(name: "X-Synse-Context", value: context) }
    for (name, value) in destination.headers { request.headers.replaceOrAdd(name: name, value: value) }
    if let secret = destination.secret {
      request.headers.replaceOrAdd(name: WebhookSignature.header, value: WebhookSignature.value(body: body.readableBytesView, secret: secret))
    }
    request.body = .bytes(body)
    do {
      let response = try await client.execute(request, timeout: .nanoseconds(destination.timeout.nanoseconds))
      // Read the answer (bounded) so the connection can serve the next event.
      _ = try? await response.body.collect(upTo: 64 * 1024)
      return WebhookOutcome(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"))
    } catch {
      return .retry("\(error)", retryAfter: nil)
    }
  }
}

/// What one delivery attempt came to.
enum WebhookOutcome: Equatable {
  case delivered
  /// The receiver will not take this event however often it is sent: give it up.
  case refused(String)
  /// The receiver is down, busy or slow: send the same event again after a wait
  /// (`retryAfter`: the receiver's `Retry-After` in seconds).
  case retry(String, retryAfter: Duration?)

  /// 2xx delivered; 408 (timeout), 429 (too many requests) and 5xx retried; any other
  /// status (3xx, since redirects are not followed, and 4xx) refused.
  init(status: Int, retryAfter: String?) {
    switch status {
    case 200..<300: self = .delivered
    case 408, 429, 500...:
      self = .retry("HTTP \(status)", retryAfter: retryAfter.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }.map { .seconds($0) })
    default: self = .refused("HTTP \(status)")
    }
  }
}

/// A destination's waiting events, oldest first, at most `capacity` (the one being retried
/// included).
struct WebhookQueue {
  let capacity: Int
  private var events: [ServerEvent] = []
  private var head = 0

  init(capacity: Int) { self.capacity = max(1, capacity) }

  var isEmpty: Bool { head == events.count }
  var count: Int { events.count - head }
  var first: ServerEvent? { isEmpty ? nil : events[head] }

  /// Adds `new` and drops the oldest beyond `capacity`; returns how many were dropped.
  mutating func append(_ new: [ServerEvent]) -> Int {
    events.append(contentsOf: new)
    let dropped = max(0, count - capacity)
    head += dropped
    if head > capacity { events.removeFirst(head); head = 0 }
    return dropped
  }

  /// Removes the oldest event if it is still `id` (it may have been dropped meanwhile).
  mutating func removeFirst(_ id: UInt64) {
    guard first?.id == id else { return }
    head += 1
    if head > capacity { events.removeFirst(head); head = 0 }
  }
}
