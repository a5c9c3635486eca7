import Foundation
import Testing
@testable import SynseServerCore

/// Webhook signing, retry schedule, answer classification, queue bound and the `webhooks`
/// configuration key (docs/health.md "Webhooks"). Delivery itself is tested against real
/// receivers in Tests/Interop/test_webhooks.py.
struct WebhookTests {
  func load(_ yaml: String, _ environment: [String: String] = [:]) throws -> ServerConfiguration {
    try ServerConfiguration.load(path: try ConfigurationTests().file(yaml), environment: environment)
  }

  func loadError(_ yaml: String, _ environment: [String: String] = [:]) throws -> String {
    let path = try ConfigurationTests().file(yaml)
    let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: environment) }
    #expect(!error.description.contains("\n"), "\(error)")
    return error.description.replacingOccurrences(of: path, with: "FILE")
  }

  /// RFC 4231 test case 2, and GitHub's documented `X-Hub-Signature-256` example.
  @Test func signatureIsHexHMACSHA256OfTheBody() {
    #expect(WebhookSignature.value(body: Array("what do ya want for nothing?".utf8), secret: "Jefe")
      == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    #expect(WebhookSignature.value(body: Array("Hello, World!".utf8), secret: "It's a Secret to Everybody")
      == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
  }

  @Test func backoffDoublesFromInitialUpToMaximumAndHonoursRetryAfterWithinIt() {
    let backoff = WebhookBackoff(initial: .seconds(1), maximum: .seconds(30))
    #expect((1...8).map { backoff.delay(afterFailures: $0) } == [1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
    #expect(backoff.delay(afterFailures: 10_000) == .seconds(30))  // no overflow however long the receiver is down
    #expect(backoff.delay(afterFailures: 3, retryAfter: .seconds(5)) == .seconds(5))
    #expect(backoff.delay(afterFailures: 1, retryAfter: .seconds(120)) == .seconds(30))
    let fast = WebhookBackoff(initial: .milliseconds(200), maximum: .milliseconds(500))
    #expect((1...4).map { fast.delay(afterFailures: $0) } == [.milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500)])
  }

  @Test func answersAreDeliveredRetriedOrRefused() {
    for status in [200, 201, 202, 204] { #expect(WebhookOutcome(status: status, retryAfter: nil) == .delivered) }
    for status in [408, 429, 500, 502, 503] { #expect(WebhookOutcome(status: status, retryAfter: nil) == .retry("HTTP \(status)", retryAfter: nil)) }
    for status in [301, 307, 400, 401, 403, 404, 410, 413, 422] { #expect(WebhookOutcome(status: status, retryAfter: nil) == .refused("HTTP \(status)")) }
    #expect(WebhookOutcome(status: 429, retryAfter: " 7") == .retry("HTTP 429", retryAfter: .seconds(7)))
    #expect(WebhookOutcome(status: 503, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT") == .retry("HTTP 503", retryAfter: nil))
  }

  @Test func queueKeepsTheNewestCapacityEventsAndCountsTheDropped() {
    let journal = EventJournal(capacity: 100)
    let events = (0..<7).map { _ in journal.publish(.pluginActive, fields: []) }
    var queue = WebhookQueue(capacity: 3)
    #expect(queue.append(Array(events[0..<2])) == 0)
    #expect(queue.append(Array(events[2..<5])) == 2)
    #expect(queue.first?.id == 3 && queue.count == 3)
    queue.removeFirst(99)  // not the head (dropped meanwhile): nothing removed
    queue.removeFirst(3)
    #expect(queue.first?.id == 4)
    #expect(queue.append(Array(events[5..<7])) == 1)
    #expect(queue.first?.id == 5 && queue.count == 3)
  }

  @Test func destinationsReadEveryFieldWithDefaults() throws {
    let config = try load("""
      webhooks:
        - url: http://hooks.example:8080/synse?token=abc
        - url: https://pager.example/in
          name: pager
          types: [alarm.raised, alarm.cleared]
          severity: critical,fatal
          tags: ["vapor/rack:r1,fan", zone:a]
          plugin: p1
          secret: s3cret
          context: rack-1
          headers: {Authorization: Bearer xyz}
          queue_size: 5
          retry_initial: 0.25
          retry_max: 2
          timeout: 3
      """)
    let (plain, full) = (config.webhooks.destinations[0], config.webhooks.destinations[1])
    #expect(plain.name == "http://hooks.example:8080/synse" && plain.filter == EventFilter() && plain.secret == nil)
    #expect(plain.queueSize == 1000 && plain.retry == WebhookBackoff(initial: .seconds(1), maximum: .seconds(30)) && plain.timeout == .seconds(10))
    #expect(full.name == "pager" && full.filter.kinds == [.alarmRaised, .alarmCleared] && full.filter.severities == [.critical, .fatal])
    #expect(full.filter.tagGroups == [["vapor/rack:r1", "default/fan"], ["default/zone:a"]] && full.filter.plugins == ["p1"])
    #expect(full.secret == "s3cret" && full.context == "rack-1" && full.headers.map(\.0) == ["Authorization"] && full.queueSize == 5)
    #expect(full.retry == WebhookBackoff(initial: .milliseconds(250), maximum: .seconds(2)) && full.timeout == .seconds(3))
    // Secrets and headers never show in /v3/config or printed forms; the URL does.
    let shown = ServerConfiguration.redacted(config.tree).serialized(pretty: false)
    #expect(!shown.contains("s3cret") && !shown.contains("xyz") && shown.contains("pager.example") && shown.contains(#""secret":"<redacted>""#))
    #expect(!"\(config)".contains("s3cret") && !"\(full)".contains("s3cret"))
  }

  @Test func theVariableTakesJSON() throws {
    let config = try load("", ["SYNSE_WEBHOOKS": #"[{"url": "http://a:1/x", "types": "plugin.inactive", "secret": "k"}]"#])
    #expect(config.webhooks.destinations.map(\.name) == ["http://a:1/x"] && config.webhooks.destinations[0].filter.kinds == [.pluginInactive])
    let error = try loadError("", ["SYNSE_WEBHOOKS": #"[{"url": "ftp://a/x", "secret": "k"}]"#])
    #expect(error == "invalid configuration (SYNSE_WEBHOOKS): 'webhooks[0].url' must be an http:// or https:// URL with a host, got 'ftp://a/x'")
    #expect(try loadError("", ["SYNSE_WEBHOOKS": "[{url: "]).hasPrefix("invalid configuration (SYNSE_WEBHOOKS=<redacted>): 'webhooks' must be a list"))
  }

  /// Each bad entry: one line naming the file and the key, counted from 0 as in jq.
  @Test(arguments: [
    ("webhooks: {url: http://a}", "'webhooks' must be a list of destinations"),
    ("webhooks: [http://a]", "'webhooks[0]' must be a mapping with at least 'url'"),
    ("webhooks: [{types: alarm.raised}]", "'webhooks[0].url' is required"),
    ("webhooks: [{url: 'http://'}]", "'webhooks[0].url' must be an http:// or https:// URL with a host"),
    ("webhooks: [{url: 'http://u:pw@a/x'}]", "'webhooks[0].url' must not carry user info"),
    ("webhooks: [{url: 'http://127.0.0.1:99999/x'}]", "'webhooks[0].url' has port 99999, outside 1-65535"),
    ("webhooks: [{url: 'https://a:0/x'}]", "'webhooks[0].url' has port 0, outside 1-65535"),
    // Past Int: URL reads no port at all, and the client would dial 443.
    ("webhooks: [{url: 'https://h:99999999999999999999999999/'}]", "'webhooks[0].url' has port 99999999999999999999999999, outside 1-65535"),
    ("webhooks: [{url: http://a}, {url: http://b, types: [alarm.raised, alarm.rasied]}]", "'webhooks[1].types' has unknown event type 'alarm.rasied' (known: alarm.raised,"),
    ("webhooks: [{url: http://a, severity: critcal}]", "'webhooks[0].severity' has unknown severity 'critcal'"),
    ("webhooks: [{url: http://a, secrt: x}]", "'webhooks[0].secrt' is not a webhook field (known: url, name,"),
    ("webhooks: [{url: http://a, secret: ''}]", "'webhooks[0].secret' must be a non-blank string"),
    ("webhooks: [{url: http://a, queue_size: 0}]", "'webhooks[0].queue_size' must be an integer from 1 to 1000000"),
    ("webhooks: [{url: http://a, retry_initial: 5, retry_max: 2}]", "'webhooks[0].retry_max' must be at least retry_initial"),
    ("webhooks: [{url: http://a, timeout: -1}]", "'webhooks[0].timeout' must be a number of seconds > 0"),
    ("webhooks: [{url: http://a, headers: [x]}]", "'webhooks[0].headers' must be a mapping of header names to strings"),
    // Values the HTTP client refuses on every delivery: found at startup, not by a stuck queue.
    (#"webhooks: [{url: http://a, headers: {"Bad Header": x}}]"#, "'webhooks[0].headers' has 'Bad Header', which is not a header name"),
    (#"webhooks: [{url: http://a, headers: {"X-Ok": "a\r\nX-Injected: 1"}}]"#, "'webhooks[0].headers.X-Ok' must not contain control characters"),
    (#"webhooks: [{url: http://a, context: "rack\n7"}]"#, "'webhooks[0].context' must not contain control characters"),
    (#"webhooks: [{url: http://a, name: "a\nb"}]"#, "'webhooks[0].name' must not contain control characters"),
    ("webhooks: [{url: http://a, headers: {X-Synse-Event: fake}}]", "'webhooks[0].headers' has 'X-Synse-Event', which the server sets itself"),
    ("webhooks: [{url: http://a, headers: {content-type: text/plain}}]", "'webhooks[0].headers' has 'content-type', which the server sets itself"),
    ("webhooks: [{url: http://a/x}, {url: http://a/x}]", "'webhooks[1].name' 'http://a/x' is also the name of webhooks[0]"),
  ])
  func badEntriesAreOneErrorNamingFileAndKey(yaml: String, expected: String) throws {
    let error = try loadError(yaml + "\n")
    #expect(error.hasPrefix("invalid configuration (FILE): \(expected)"), "\(error)")
  }

  @Test func aSecretIsNeverInAnError() throws {
    let error = try loadError("webhooks: [{url: ftp://a, secret: hunter2}]\n")
    #expect(!error.contains("hunter2"), "\(error)")
  }
}
