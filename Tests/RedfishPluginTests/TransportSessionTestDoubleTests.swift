import Foundation
import RedfishPlugin
import SynseSDK
import Testing

/// Redfish session login (DSP0266 §13.3) against OUR TEST DOUBLE
/// (Tests/Fixtures/redfish-session/session_service.py): no PyPI peer implements sessions.
/// Each test uses its own client; the double's /test/log tells what the client sent.
// The literal, not `Self.password`: a suite's own members in its @Suite make a circular reference.
@Suite(.serialized, .peer { try TransportPeer.sessionDouble(password: "double-secret-3") })
struct TransportSessionTestDoubleTests {
  static let password = "double-secret-3"

  struct Log: Decodable {
    struct Request: Decodable {
      var method: String
      var path: String
      var headers: [String: String]
    }
    var logins: Int
    var deletes: [String]
    var requests: [Request]
  }

  let peer: TransportPeer
  let log = CapturedLog()

  init() throws {
    peer = try TransportPeerTrait.peer()
  }

  func client(password: String = Self.password, timeout: String = "5s") throws -> RedfishClient {
    try transportClient(
      [("endpoint", .string(peer.endpoint)), ("username", .string("operator")), ("password", .string(password)),
       ("timeout", .string(timeout))], log: log)
  }

  /// The double's record, read with a client of its own (no auth needed for /test/).
  func record() async throws -> Log {
    let plain = try transportClient([("endpoint", .string(peer.endpoint))])
    defer { Task { await plain.shutdown() } }
    return try JSONDecoder().decode(Log.self, from: try await plain.get("/test/log").body)
  }

  func testControl(_ path: String) async throws {
    let plain = try transportClient([("endpoint", .string(peer.endpoint))])
    _ = try await plain.post(path, body: Data())
    await plain.shutdown()
  }

  @Test func logsInOnceSendsTheTokenAndRedfishHeadersAndLogsOutOnShutdown() async throws {
    let before = try await record()
    let client = try client()
    // Concurrent first requests share one login.
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<8 { group.addTask { _ = try await client.get("/redfish/v1/Chassis") } }
      try await group.waitForAll()
    }
    let during = try await record()
    #expect(during.logins == before.logins + 1)
    let gets = during.requests.dropFirst(before.requests.count).filter { $0.method == "GET" && $0.path == "/redfish/v1/Chassis" }
    #expect(gets.count == 8)
    for request in gets {
      #expect(request.headers["x-auth-token"]?.isEmpty == false && request.headers["authorization"] == nil)
      #expect(request.headers["accept"] == "application/json" && request.headers["odata-version"] == "4.0")
    }
    // Service root, login POST, eight GETs.
    #expect(client.requestCount == 10)
    await client.shutdown()
    let after = try await record()
    #expect(after.deletes.count == during.deletes.count + 1)
    #expect(after.deletes.last?.hasPrefix("/redfish/v1/SessionService/Sessions/") == true)
    #expect(client.requestCount == 11)
    #expect(!log.text.contains(Self.password) && !log.text.contains("operator"), "\(log.text)")
  }

  @Test func anExpiredSessionLogsInAgainOnceAndRetries() async throws {
    let client = try client()
    _ = try await client.get("/redfish/v1/Chassis/1")
    let before = try await record()
    try await testControl("/test/expire")
    let chassis = try await client.get("/redfish/v1/Chassis/1")
    #expect(chassis.status == 200 && chassis.etag == "W/\"1\"")
    let after = try await record()
    #expect(after.logins == before.logins + 1)
    await client.shutdown()
  }

  @Test func patchSendsIfMatchAndRedirectsAreFollowed() async throws {
    let client = try client()
    let response = try await client.patch("/redfish/v1/Chassis/1", body: Data(#"{"IndicatorLED":"Lit"}"#.utf8), ifMatch: "W/\"1\"")
    #expect(response.status == 204)
    let patch = try #require(try await record().requests.last { $0.method == "PATCH" })
    #expect(patch.headers["if-match"] == "W/\"1\"" && patch.headers["content-type"] == "application/json")
    let moved = try await client.get("/redfish/v1/Moved")
    #expect(String(decoding: moved.body, as: UTF8.self).contains("\"Chassis 1\""))
    await client.shutdown()
  }

  /// The session token goes only where the endpoint is: a redirect to another origin (here the
  /// same server named `localhost`, not 127.0.0.1) is followed without it.
  @Test func aRedirectToAnotherOriginIsFollowedWithoutTheToken() async throws {
    let client = try client()
    let away = try await client.get("/redfish/v1/MovedAway")
    #expect(String(decoding: away.body, as: UTF8.self).contains("Session test double"))
    let requests = try await record().requests
    let asked = try #require(requests.last { $0.path == "/redfish/v1/MovedAway" })
    let landed = try #require(requests.last { $0.path == "/redfish/v1/" })
    #expect(asked.headers["x-auth-token"] != nil)
    #expect(landed.headers["x-auth-token"] == nil && landed.headers["authorization"] == nil, "\(landed.headers)")
    await client.shutdown()
  }

  /// A Location whose port no client can use (AsyncHTTPClient traps on one past 16 bits) is an
  /// error for that request, not the end of the plugin.
  @Test func aRedirectToAPortOutOfRangeIsAnErrorNotACrash() async throws {
    let client = try client()
    let error = try #require(await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/MovedOutOfRange") })
    #expect(error.kind == .status && error.message.contains("302"), "\(error)")
    await client.shutdown()
  }

  @Test func aBodyOverTheCapIsMalformedAndAnErrorBodyGivesItsMessage() async throws {
    let client = try client()
    let big = try #require(await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/Big") })
    #expect(big.kind == .malformed && big.message.contains("16 MiB"), "\(big)")
    let missing = try #require(await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/Nothing") })
    #expect(missing.kind == .status && missing.message == "HTTP 404 Not Found: no resource at /redfish/v1/Nothing", "\(missing)")
    // A plain-text error page: its first words, not the status alone.
    let busy = try #require(await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/Busy") })
    #expect(busy.kind == .status && busy.message == "HTTP 503 Service Unavailable: \"Service busy: firmware update in progress\"", "\(busy)")
    await client.shutdown()
  }

  @Test func aBodyStillArrivingAtTheTimeoutTimesOut() async throws {
    let client = try client(timeout: "1s")
    let started = ContinuousClock.now
    let error = try #require(await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/Dribble") })
    let elapsed = ContinuousClock.now - started
    #expect(error.kind == .timeout, "\(error)")
    // The body takes 60 s to arrive; a loaded CI machine can delay the 1 s timeout by seconds.
    #expect(elapsed < .seconds(15), "\(elapsed)")
    await client.shutdown()
  }

  /// A link given as a whole URL is followed on the endpoint's own origin only (it was sent as
  /// the path `/http://…` before).
  @Test func aLinkGivenAsAWholeURLIsFollowedOnItsOwnOriginOnly() async throws {
    let client = try client()
    let root = try await client.get(peer.endpoint + "/redfish/v1/")
    #expect(String(decoding: root.body, as: UTF8.self).contains("Session test double"))
    let away = try #require(await transportFailure { () async throws(RedfishError) in
      try await client.get("http://localhost:\(self.peer.port)/redfish/v1/")
    })
    #expect(away.kind == .malformed && away.message == "a link to another host or port, not followed", "\(away)")
    await client.shutdown()
  }

  /// https:// to a plain-HTTP port: the cause, not BoringSSL's source-file text.
  @Test func httpsToAPlainHTTPPortSaysTheEndpointDoesNotAnswerTLS() async throws {
    let client = try transportClient([("endpoint", .string("https://127.0.0.1:\(peer.port)"))])
    let error = try #require(await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/") })
    #expect(error.kind == .unreachable && error.message.contains("does not answer TLS"), "\(error)")
    #expect(!error.message.contains(".cc"), "\(error)")
    await client.shutdown()
  }

  @Test func aWrongPasswordIsRefusedAtLoginWithoutThePasswordInTheText() async throws {
    let wrong = "not-the-\(Self.password)"
    let client = try client(password: wrong)
    let error = try #require(await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/Chassis") })
    #expect(error.kind == .unauthorized && error.httpStatus == 401, "\(error)")
    #expect(error.description.hasPrefix("redfish \(peer.endpoint)/redfish/v1/SessionService/Sessions: session login refused"), "\(error)")
    #expect(!error.description.contains(wrong) && !log.text.contains(wrong), "\(error) \(log.text)")
    await client.shutdown()
  }

  @Test func aTokenRefusedAgainAfterReLoginIsUnauthorizedAfterOneRetry() async throws {
    let client = try client()
    _ = try await client.get("/redfish/v1/Chassis")
    let before = client.requestCount
    try await testControl("/test/reject-all")
    let refused = await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/Chassis") }
    // Before any expectation can stop the test: the suite's other tests need tokens accepted.
    try await testControl("/test/accept")
    let error = try #require(refused)
    #expect(error.kind == .unauthorized && error.httpStatus == 401, "\(error)")
    // The refused GET, a new login (service root, POST), the one retry.
    #expect(client.requestCount == before + 4)
    await client.shutdown()
  }
}
