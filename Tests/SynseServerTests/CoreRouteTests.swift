import Hummingbird
import HummingbirdTesting
import Testing

/// `/test`, `/version`, and the error bodies of paths and methods no route serves, through
/// the real application built by `buildApplication`.
struct CoreRouteTests {
  @Test func testAnswersOKWithTheTime() async throws {
    try await withTwoPluginRoutes { client in
      try await client.execute(uri: "/test", method: .get) { response in
        #expect(response.status == .ok)
        #expect(Set(response.object.keys) == ["status", "timestamp"])
        #expect(response.object["status"] as? String == "ok")
        #expect(isTimestamp(response.object["timestamp"]))
      }
    }
  }

  @Test func versionNamesTheServerAndAPIVersions() async throws {
    try await withTwoPluginRoutes { client in
      try await client.execute(uri: "/version", method: .get) { response in
        #expect(response.status == .ok)
        #expect(response.object["api_version"] as? String == "v3")
        #expect((response.object["version"] as? String)?.wholeMatch(of: /\d+\.\d+\.\d+.*/) != nil)
      }
    }
  }

  @Test func anUnknownPathIsASynse404() async throws {
    try await withTwoPluginRoutes { client in
      try await client.execute(uri: "/v3/nope", method: .get) { response in
        expectSynseError(response, status: .notFound, description: "resource not found")
      }
      try await client.execute(uri: "/v3/info/nope", method: .get) { response in
        expectSynseError(response, status: .notFound, description: "resource not found")
      }
    }
  }

  @Test func aMethodTheRouteDoesNotServeIsASynse405() async throws {
    try await withTwoPluginRoutes { client in
      try await client.execute(uri: "/test", method: .post) { response in
        expectSynseError(response, status: .methodNotAllowed, description: "method not allowed")
        #expect(response.headers[.allow]?.contains("GET") == true)
      }
    }
  }
}
