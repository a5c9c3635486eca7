import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SynseServer
import Testing
@testable import SynseServerCore
@testable import SynseServerCoreTests

extension FakePluginServer {
  /// The real HTTP application (``buildApplication``) over this server's ``Commands``, for
  /// `app.test(.router)`.
  func application() throws -> some ApplicationProtocol {
    try buildApplication(
      commands: commands, configuration: configuration, host: "127.0.0.1", port: 0, services: [],
      logger: Logger(label: "route-tests") { _ in SwiftLogNoOpLogHandler() })
  }
}

/// Runs `test` with `app.test(.router)` on the application over
/// ``FakePluginServer/twoPlugins()``.
func withTwoPluginRoutes(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
  let (server, _) = try await FakePluginServer.twoPlugins()
  try await server.application().test(.router, test)
}

extension TestResponse {
  /// The body parsed as JSON (`[String: Any]`, `[Any]`, …); `nil` when it is not JSON.
  var json: Any? {
    try? JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8), options: [.fragmentsAllowed])
  }

  /// The body as a JSON object; empty when it is not one.
  var object: [String: Any] { json as? [String: Any] ?? [:] }

  /// The body as a list of JSON objects; empty when it is not one.
  var objects: [[String: Any]] { json as? [[String: Any]] ?? [] }
}

/// Whether `text` is an RFC 3339 UTC timestamp of whole seconds (docs/api-v3.md §1.6).
func isTimestamp(_ text: Any?) -> Bool {
  guard let text = text as? String else { return false }
  return text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil
}

/// Expects `response` to be the Synse error body of docs/api-v3.md §2.1: exactly `http_code`
/// (the status), `description`, `timestamp` and `context`, as JSON.
func expectSynseError(
  _ response: TestResponse, status: HTTPResponse.Status, description: String, context: String? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let body = response.object
  #expect(response.status == status, sourceLocation: sourceLocation)
  #expect(Set(body.keys) == ["http_code", "description", "timestamp", "context"], sourceLocation: sourceLocation)
  #expect(body["http_code"] as? Int == status.code, sourceLocation: sourceLocation)
  #expect(body["description"] as? String == description, sourceLocation: sourceLocation)
  #expect(isTimestamp(body["timestamp"]), sourceLocation: sourceLocation)
  if let context { #expect(body["context"] as? String == context, sourceLocation: sourceLocation) }
  #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
}
