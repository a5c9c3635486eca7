import NIOCore
import Testing
@testable import SynseServerCore

/// Read and write ``Commands`` over two ``FakePlugin``s: tag-group reads merged across
/// plugins, and a write followed through its transaction to a final state.
struct CommandsTests {
  @Test func readWithoutTagsGivesEveryPluginsReadingsInRegistrationOrder() async throws {
    let (server, _) = try await FakePluginServer.twoPlugins()
    #expect(server.registry.plugins.map(\.id) == ["plugin-a", "plugin-b"])
    let readings = try await server.commands.read(namespace: "default", tagGroups: [], pluginID: nil).objects()
    #expect(readings.map { $0["device"] as? String } == ["a1", "a2", "b1", "b2"])
    #expect(readings.map { $0["value"] as? Int } == [1, 2, 3, 4])
    let onlyB = try await server.commands.read(namespace: "default", tagGroups: [], pluginID: "plugin-b").objects()
    #expect(onlyB.map { $0["device"] as? String } == ["b1", "b2"])
  }

  @Test func tagGroupReadsAreMergedAcrossPluginsWithoutDuplicates() async throws {
    let (server, _) = try await FakePluginServer.twoPlugins()
    // foo: a1 (a), b1 (b); bar: a2 (a), b1 again (b): one reading per device, type and time.
    let readings = try await server.commands.read(namespace: "default", tagGroups: [["foo"], ["bar"]], pluginID: nil).objects()
    #expect(readings.map { $0["device"] as? String } == ["a1", "b1", "a2"])
    let both = try await server.commands.read(namespace: "default", tagGroups: [["foo", "default/bar"]], pluginID: nil).objects()
    #expect(both.map { $0["device"] as? String } == ["b1"])
  }

  @Test func readOfAnUnknownPluginIsInvalidUsage() async throws {
    let (server, _) = try await FakePluginServer.twoPlugins()
    let error = await #expect(throws: SynseError.self) {
      try await server.commands.read(namespace: "default", tagGroups: [], pluginID: "plugin-x")
    }
    #expect(error?.httpStatus == 400)
  }

  @Test func asyncWriteGivesATransactionFollowedToItsFinalState() async throws {
    let (server, a) = try await FakePluginServer.twoPlugins()
    let handles = try await server.commands.writeAsync(deviceID: "fan", items: [WriteItem(action: "speed", data: "50", transaction: "")]).objects()
    #expect(handles.count == 1)
    let id = try #require(handles.first?["id"] as? String)
    #expect(handles.first?["device"] as? String == "fan")
    #expect(handles.first?["context"] as? [String: String] == ["action": "speed", "data": "50"])
    #expect(a.calls("writeAsync") == 1)
    #expect(try server.commands.transactionIDs().decoded() as? [String] == [id])
    var statuses: [String] = []
    for _ in 0..<4 {
      let status = try await server.commands.transaction(id).decoded() as? [String: Any]
      #expect(status?["id"] as? String == id)
      #expect(status?["device"] as? String == "fan")
      statuses.append(status?["status"] as? String ?? "")
    }
    // The fake transaction moves one step per question and the server's follower asks too:
    // steps may be skipped, never reversed, and it ends DONE.
    let steps = statuses.map { FakePlugin.transactionSteps.firstIndex(of: $0) ?? -1 }
    #expect(steps.allSatisfy { $0 >= 0 } && steps == steps.sorted() && statuses.last == "DONE", "\(statuses)")
  }

  @Test func syncWriteAnswersWithTheFinalStatus() async throws {
    let (server, _) = try await FakePluginServer.twoPlugins()
    let statuses = try await server.commands.writeSync(deviceID: "fan", items: [WriteItem(action: "speed", data: "20", transaction: "")]).objects()
    #expect(statuses.map { $0["status"] as? String } == ["DONE"])
    #expect(statuses.map { $0["device"] as? String } == ["fan"])
    #expect(try server.commands.transactionIDs().decoded() as? [String] == statuses.compactMap { $0["id"] as? String })
  }

  /// Nothing accepted is lost: a wait whose plugin stopped answering ends once it has failed
  /// to answer for a while (``Commands/unreachableFor``), not at the transaction's own timeout
  /// (plus grpc.timeout), with its latest status, and the transaction is still followed to its end.
  @Test(.timeLimit(.minutes(1))) func aSyncWriteWhosePluginStopsAnsweringEndsWithItsLatestStatusAndIsFollowed() async throws {
    let (server, a) = try await FakePluginServer.twoPlugins()
    a.writes(timeout: "10s", vanish: true)
    let started = ContinuousClock.now
    let statuses = try await server.commands.writeSync(deviceID: "fan", items: [WriteItem(action: "speed", data: "20", transaction: "")]).objects()
    let waited = ContinuousClock.now - started
    #expect(waited >= Commands.unreachableFor && waited < .seconds(10), "\(waited)")
    let status = try #require(statuses.first)
    let id = try #require(status["id"] as? String)
    #expect(statuses.count == 1 && status["status"] as? String == "PENDING" && status["device"] as? String == "fan")
    let message = status["message"] as? String ?? ""
    #expect(message.contains("the plugin stopped answering") && message.contains("not reachable") && message.contains("/v3/transaction/\(id)"), "\(message)")
    #expect(try server.commands.transactionIDs().decoded() as? [String] == [id])
    #expect(await server.registry.plugin(id: "plugin-a")?.active == true, "a slow write does not make its plugin inactive")

    a.reachable = true
    try await waitUntil(.seconds(20)) {
      server.commands.events.events(after: 0).events.contains { event in
        event.kind == .transactionFinished && String(buffer: event.data.compact).contains(#""status":"DONE""#)
      }
    }
  }

  @Test func writesToReadOnlyOrUnknownDevicesAndUnknownTransactionsAreRefused() async throws {
    let (server, a) = try await FakePluginServer.twoPlugins()
    let readOnly = await #expect(throws: SynseError.self) {
      try await server.commands.writeAsync(deviceID: "a1", items: [WriteItem(action: "x", data: "", transaction: "")])
    }
    #expect(readOnly?.httpStatus == 405)
    let unknown = await #expect(throws: SynseError.self) {
      try await server.commands.writeAsync(deviceID: "nope", items: [WriteItem(action: "x", data: "", transaction: "")])
    }
    #expect(unknown?.httpStatus == 404)
    #expect(a.calls("writeAsync") == 0)
    let transaction = await #expect(throws: SynseError.self) { try await server.commands.transaction("nope") }
    #expect(transaction?.httpStatus == 404)
  }
}
