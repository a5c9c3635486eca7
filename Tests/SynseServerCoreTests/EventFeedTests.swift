import NIOCore
import SynseServerCore
import Testing

/// The event feed's journal, subscriptions, filter and SSE framing (docs/health.md "Events").
struct EventFeedTests {
  /// Publishes `count` plugin events, returning their IDs.
  @discardableResult
  func publish(_ journal: EventJournal, _ count: Int, _ kind: ServerEvent.Kind = .pluginActive, plugin: String = "p") -> [UInt64] {
    (0..<count).map { _ in journal.publish(kind, plugin: plugin, fields: [("plugin", .string(plugin))]).id }
  }

  @Test func journalKeepsTheNewestCapacityEventsInOrderAndCountsTheMissed() {
    let journal = EventJournal(capacity: 3)
    #expect(journal.events(after: 0).events.isEmpty)
    publish(journal, 5)  // ring wraps: 3, 4, 5 kept
    let page = journal.events(after: 0)
    #expect(page.events.map(\.id) == [3, 4, 5])
    #expect(page.missed == 2)
    #expect(journal.events(after: 1).missed == 1)
    #expect(journal.events(after: 2).missed == 0)
    #expect(journal.events(after: 3).events.map(\.id) == [4, 5])
    #expect(journal.events(after: 5).events.isEmpty)
    #expect(journal.events(after: 0, limit: 2).events.map(\.id) == [3, 4])
    publish(journal, 4)  // wraps again: 7, 8, 9
    #expect(journal.events(after: 4).events.map(\.id) == [7, 8, 9])
    #expect(journal.events(after: 4).missed == 2)
  }

  @Test(.timeLimit(.minutes(1))) func nextReturnsOnPublishAndOnCancel() async throws {
    let journal = EventJournal(capacity: 4)
    let waiter = Task {
      var subscription = EventSubscription(journal: journal, filter: EventFilter(), after: 0)
      return await subscription.next(waiting: nil)
    }
    try await Task.sleep(for: .milliseconds(50))
    publish(journal, 1)
    #expect(await waiter.value?.events.map(\.id) == [1])
    do {
      var already = EventSubscription(journal: journal, filter: EventFilter(), after: 0)
      #expect(await already.next(waiting: nil)?.events.map(\.id) == [1])  // already there: at once
    }
    let cancelled = Task {
      var subscription = EventSubscription(journal: journal, filter: EventFilter(), after: 1)
      return await subscription.next(waiting: nil)
    }
    try await Task.sleep(for: .milliseconds(50))
    cancelled.cancel()
    #expect(await cancelled.value == nil)
    #expect(journal.lastID == 1 && journal.subscriptionCount == 0)
  }

  @Test func subscriptionResumesAfterTheCursorAndReportsMissedOnce() async throws {
    let journal = EventJournal(capacity: 3)
    publish(journal, 5)
    var resumed = EventSubscription(journal: journal, filter: EventFilter(), after: 1)
    let first = try #require(await resumed.next(waiting: .zero))
    #expect(first.missed == 1)  // event 2
    #expect(first.events.map(\.id) == [3, 4, 5])
    let idle = try #require(await resumed.next(waiting: .milliseconds(20)))
    #expect(idle.missed == 0 && idle.events.isEmpty)

    // Without a cursor: only what comes next.
    var fresh = EventSubscription(journal: journal, filter: EventFilter(), after: nil)
    #expect(try #require(await fresh.next(waiting: .milliseconds(20))).events.isEmpty)
    publish(journal, 1)
    #expect(try #require(await fresh.next(waiting: .seconds(5))).events.map(\.id) == [6])

    // An ID from an earlier run (above the newest): everything kept, not a wait for ID 100.
    var earlierRun = EventSubscription(journal: journal, filter: EventFilter(), after: 100)
    #expect(try #require(await earlierRun.next(waiting: .zero)).events.map(\.id) == [4, 5, 6])
  }

  @Test func subscriptionWakesOnPublishAndEndsOnStop() async throws {
    let journal = EventJournal()
    let stop = StopSignal()
    let waiting = Task {
      var subscription = EventSubscription(journal: journal, filter: EventFilter(), after: nil)
      return await subscription.next(waiting: nil, stop: stop)?.events.map(\.id)
    }
    try await Task.sleep(for: .milliseconds(50))
    publish(journal, 1)
    #expect(await waiting.value == [1])

    let stopped = Task {
      var subscription = EventSubscription(journal: journal, filter: EventFilter(), after: nil)
      return await subscription.next(waiting: nil, stop: stop) == nil
    }
    try await Task.sleep(for: .milliseconds(50))
    stop.fire()
    #expect(await stopped.value)
  }

  @Test func everyOneOfManySubscribersGetsEveryEventPublishedWhileTheyWake() async throws {
    let journal = EventJournal()
    let subscribers = (0..<100).map { _ in EventSubscription(journal: journal, filter: EventFilter(), after: nil) }
    #expect(journal.subscriptionCount == 100)
    let received = await withTaskGroup(of: [UInt64].self) { group in
      for subscriber in subscribers {
        group.addTask {
          var subscription = subscriber
          var ids: [UInt64] = []
          // A lost wake shows as a heartbeat-long stall: 5 s, then the count comes up short.
          while ids.count < 300, let batch = await subscription.next(waiting: .seconds(5)), !batch.events.isEmpty {
            ids += batch.events.map(\.id)
          }
          return ids
        }
      }
      for round in 0..<30 {
        publish(journal, 10)
        if round % 3 == 0 { await Task.yield() }
      }
      return await group.reduce(into: []) { $0.append($1) }
    }
    #expect(received.count == 100)
    #expect(received.allSatisfy { $0 == Array(1...300) })
  }

  @Test func eachWaitEndsAtItsOwnDeadlineAndAnEndedSubscriptionDetaches() async throws {
    let journal = EventJournal()
    do {
      var subscription = EventSubscription(journal: journal, filter: EventFilter(), after: nil)
      #expect(journal.subscriptionCount == 1)
      for _ in 0..<3 {
        let started = ContinuousClock.now
        #expect(try #require(await subscription.next(waiting: .milliseconds(60))).events.isEmpty)
        let waited = started.duration(to: .now)
        // The upper bound catches a timer moved to the wrong deadline; 1 s failed in CI when the
        // parallel suites kept the two cooperative threads busy past it.
        #expect(waited >= .milliseconds(60) && waited < .seconds(15), "waited \(waited)")
      }
    }
    #expect(journal.subscriptionCount == 0)
  }

  @Test func filteredOutEventsAreSkippedAndTheHeartbeatStillComes() async throws {
    let journal = EventJournal()
    var subscription = EventSubscription(
      journal: journal, filter: try EventFilter(types: ["plugin.inactive"], severities: [], tagGroups: [], plugins: [], devices: []), after: 0)
    publish(journal, 3, .pluginActive)
    let idle = try #require(await subscription.next(waiting: .milliseconds(20)))
    #expect(idle.events.isEmpty)
    #expect(subscription.cursor == 3)
    publish(journal, 1, .pluginInactive)
    #expect(try #require(await subscription.next(waiting: .seconds(5))).events.map(\.kind) == [.pluginInactive])
  }

  @Test func filterMatchesEveryCriterion() throws {
    let journal = EventJournal()
    let alarm = journal.publish(
      .alarmRaised, severity: .critical, device: "d1", plugin: "p1", tags: ["default/rack:1", "default/hot", "system/id:d1"], fields: [])
    let plugin = journal.publish(.pluginInactive, plugin: "p1", fields: [])
    func filter(
      types: [String] = [], severities: [String] = [], tags: [[String]] = [], plugins: [String] = [], devices: [String] = []
    ) throws -> EventFilter {
      try EventFilter(types: types, severities: severities, tagGroups: tags, plugins: plugins, devices: devices)
    }
    #expect(EventFilter().matches(alarm) && EventFilter().matches(plugin))
    #expect(try filter(types: ["alarm.cleared, alarm.raised"]).matches(alarm))
    #expect(try !filter(types: ["alarm.cleared", "alarm.changed"]).matches(alarm))
    #expect(try filter(severities: ["warning,critical"]).matches(alarm))
    #expect(try !filter(severities: ["fatal"]).matches(alarm))
    #expect(try !filter(severities: ["critical"]).matches(plugin))  // no severity: no match
    #expect(try filter(tags: [["rack:1", "hot"]]).matches(alarm))  // default namespace added
    #expect(try !filter(tags: [["rack:1", "cold"]]).matches(alarm))  // every tag of a group
    #expect(try filter(tags: [["cold"], ["system/id:d1"]]).matches(alarm))  // any group
    #expect(try !filter(tags: [["rack:1"]]).matches(plugin))
    #expect(try filter(plugins: ["p2", "p1"]).matches(plugin))
    #expect(try !filter(plugins: ["p2"]).matches(alarm))
    #expect(try filter(devices: ["d1"]).matches(alarm))
    #expect(try !filter(devices: ["d1"]).matches(plugin))
    #expect(try !filter(types: ["alarm.raised"], plugins: ["p2"]).matches(alarm))  // all criteria
  }

  @Test func filterRefusesUnknownTypesAndSeveritiesNamingThem() {
    #expect(throws: SynseError.invalidUsage(
      "invalid parameter: unknown event type 'alarm.rasied' (known: alarm.raised, alarm.changed, alarm.cleared, transaction.finished, plugin.active, plugin.inactive)")
    ) { try EventFilter(types: ["plugin.active,alarm.rasied"], severities: [], tagGroups: [], plugins: [], devices: []) }
    #expect(throws: SynseError.invalidUsage("invalid parameter: unknown severity 'severe' (known: ok, warning, critical, fatal, unknown)")) {
      try EventFilter(types: [], severities: ["severe"], tagGroups: [], plugins: [], devices: [])
    }
  }

  @Test func sseFramesAreIDEventDataAndABlankLine() {
    let journal = EventJournal()
    publish(journal, 6)
    let event = journal.publish(.transactionFinished, device: "d", fields: [("message", .string("line one\nline two"))])
    let text = String(buffer: SSEFrame.event(event))
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 5)
    #expect(lines[0] == "id: 7")
    #expect(lines[1] == "event: transaction.finished")
    #expect(lines[2].hasPrefix(#"data: {"id":7,"event":"transaction.finished","time":""#))
    #expect(lines[2].hasSuffix(#","message":"line one\nline two"}"#))  // the newline escaped: one data line
    #expect(text.hasSuffix("\n\n"))
    #expect(String(buffer: SSEFrame.missed(12)) == "event: events.missed\ndata: {\"missed\":12}\n\n")
    #expect(String(buffer: SSEFrame.heartbeat) == ": heartbeat\n\n")
  }

  @Test func lastEventIDIsADecimalIDOrBlank() throws {
    #expect(try Commands.lastEventID(nil) == nil)
    #expect(try Commands.lastEventID(" ") == nil)
    #expect(try Commands.lastEventID("42") == 42)
    #expect(throws: SynseError.self) { try Commands.lastEventID("abc") }
    #expect(throws: SynseError.self) { try Commands.lastEventID("-1") }
    #expect(throws: SynseError.self) { try Commands.lastEventID("+5") }
    let named = #expect(throws: SynseError.self) { try Commands.lastEventID("x", from: "last_event_id") }
    #expect(named?.context.hasPrefix("invalid last_event_id 'x'") == true)
    // Beyond 64 bits: an ID this run never issued, like any above the newest, not a bad one.
    #expect(try Commands.lastEventID("99999999999999999999999999") == .max)
    let long = #expect(throws: SynseError.self) { try Commands.lastEventID(String(repeating: "x", count: 5000)) }
    #expect((long?.context.count ?? .max) < 200)
  }
}
