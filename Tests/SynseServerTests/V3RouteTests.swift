import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The `/v3` routes through the real application over two fake plugins (see
/// ``FakePluginServer/twoPlugins()``): plugins, scan, read, writes and their transactions,
/// and a bad query parameter.
struct V3RouteTests {
  @Test func pluginListsTheRegisteredPlugins() async throws {
    try await withTwoPluginRoutes { client in
      try await client.execute(uri: "/v3/plugin", method: .get) { response in
        #expect(response.status == .ok)
        #expect(response.objects.map { $0["id"] as? String } == ["plugin-a", "plugin-b"])
        #expect(response.objects.map { $0["active"] as? Bool } == [true, true])
        #expect(Set(response.objects.first?.keys ?? [:].keys) == ["name", "maintainer", "tag", "description", "id", "active"])
      }
    }
  }

  @Test func scanListsEveryDeviceByPluginAndID() async throws {
    try await withTwoPluginRoutes { client in
      try await client.execute(uri: "/v3/scan", method: .get) { response in
        #expect(response.status == .ok)
        #expect(response.objects.map { $0["id"] as? String } == ["a1", "a2", "fan", "b1", "b2"])
        #expect(response.objects.map { $0["plugin"] as? String } == ["plugin-a", "plugin-a", "plugin-a", "plugin-b", "plugin-b"])
      }
      try await client.execute(uri: "/v3/scan?tags=foo", method: .get) { response in
        #expect(response.objects.map { $0["id"] as? String } == ["a1", "b1"])
      }
    }
  }

  @Test func readMergesPluginsAndTagGroups() async throws {
    try await withTwoPluginRoutes { client in
      try await client.execute(uri: "/v3/read", method: .get) { response in
        #expect(response.status == .ok)
        #expect(response.objects.map { $0["device"] as? String } == ["a1", "a2", "b1", "b2"])
        #expect(response.objects.map { $0["value"] as? Int } == [1, 2, 3, 4])
      }
      try await client.execute(uri: "/v3/read?tags=foo&tags=bar", method: .get) { response in
        #expect(response.objects.map { $0["device"] as? String } == ["a1", "b1", "a2"])
      }
    }
  }

  @Test func asyncWriteGivesATransactionThatReachesDone() async throws {
    try await withTwoPluginRoutes { client in
      let id = try await client.execute(
        uri: "/v3/write/fan", method: .post, body: ByteBuffer(string: #"{"action": "speed", "data": "50"}"#)
      ) { response in
        #expect(response.status == .ok)
        #expect(response.objects.map { $0["device"] as? String } == ["fan"])
        #expect(response.objects.first?["context"] as? [String: String] == ["action": "speed", "data": "50"])
        return try #require(response.objects.first?["id"] as? String)
      }
      try await client.execute(uri: "/v3/transaction", method: .get) { response in
        #expect(response.json as? [String] == [id])
      }
      var statuses: [String] = []
      for _ in 0..<3 {
        try await client.execute(uri: "/v3/transaction/\(id)", method: .get) { response in
          #expect(response.status == .ok)
          #expect(response.object["id"] as? String == id)
          #expect(response.object["device"] as? String == "fan")
          statuses.append(response.object["status"] as? String ?? "")
        }
      }
      // Each GET asks the plugin, whose fake transaction moves one step per question; the
      // server's own follower asks too, so steps may be skipped, never reversed.
      let steps = statuses.map { ["PENDING", "WRITING", "DONE"].firstIndex(of: $0) ?? -1 }
      #expect(steps.allSatisfy { $0 >= 0 } && steps == steps.sorted() && statuses.last == "DONE", "\(statuses)")
    }
  }

  @Test func syncWriteAnswersWhenTheTransactionIsDone() async throws {
    try await withTwoPluginRoutes { client in
      try await client.execute(uri: "/v3/write/wait/fan", method: .post, body: ByteBuffer(string: #"[{"action": "speed", "data": "10"}]"#)) { response in
        #expect(response.status == .ok)
        #expect(response.objects.map { $0["status"] as? String } == ["DONE"])
        #expect(response.objects.map { $0["device"] as? String } == ["fan"])
      }
    }
  }

  @Test func badQueryParametersAreSynse400s() async throws {
    try await withTwoPluginRoutes { client in
      try await client.execute(uri: "/v3/scan?ns=a&ns=b", method: .get) { response in
        expectSynseError(
          response, status: .badRequest, description: "invalid user input", context: "invalid parameter: only one namespace may be specified")
      }
      try await client.execute(uri: "/v3/scan?sort=bogus", method: .get) { response in
        expectSynseError(response, status: .badRequest, description: "invalid user input", context: "invalid sort key(s) provided")
      }
      try await client.execute(uri: "/v3/read?plugin=plugin-x", method: .get) { response in
        expectSynseError(response, status: .badRequest, description: "invalid user input")
      }
    }
  }
}
