import Testing

@testable import SynseServerCore

/// Byte-exact wire formats of the response shapes in `Models/` and of every error body: the
/// strings are what synse-server wrote before the shapes moved (and what the Python client reads).
struct ResponseShapeTests {
  @Test(arguments: [
    (SynseError.methodNotAllowed("DELETE /test: Method Not Allowed"), 405, "method not allowed", "DELETE /test: Method Not Allowed"),
    (.payloadTooLarge("POST /v3/write/x: Content Too Large"), 413, "request body too large", "POST /v3/write/x: Content Too Large"),
    (.refused(status: 400, reason: "Bad Request", context: "GET /x: Bad Request"), 400, "Bad Request", "GET /x: Bad Request"),
    (.malformedMessage("unable to parse websocket payload as a JSON object"), 500, "An unexpected error occurred.",
     "unable to parse websocket payload as a JSON object"),
  ])
  func errorBodies(error: SynseError, status: Int, description: String, context: String) {
    #expect(error.httpStatus == status)
    #expect(
      error.body(timestamp: "t").serialized(pretty: false)
        == #"{"http_code":\#(status),"description":"\#(description)","timestamp":"t","context":"\#(context)"}"#)
  }

  @Test func unknownWebSocketEventBodyHasNoContext() {
    let error = SynseError.unsupportedEvent("request/foo")
    #expect(error.httpStatus == 400)
    #expect(error.body(timestamp: "t").serialized(pretty: false) == #"{"http_code":400,"description":"unsupported event type: request/foo","timestamp":"t"}"#)
  }

  /// Framework refusals become the Synse error of their status: 404 is the `notFound` class.
  @Test(arguments: [
    (404, "Not Found", SynseError.notFound("c")), (405, "Method Not Allowed", .methodNotAllowed("c")),
    (413, "Content Too Large", .payloadTooLarge("c")), (400, "Bad Request", .refused(status: 400, reason: "Bad Request", context: "c")),
  ])
  func refusalsMapByStatus(status: Int, reason: String, expected: SynseError) {
    #expect(SynseError.refusal(status: status, reasonPhrase: reason, context: "c") == expected)
  }

  @Test func bodyIsStampedNow() throws {
    guard case .object(let pairs) = SynseError.notFound("x").body, case .string(let stamp)? = pairs.first(where: { $0.0 == "timestamp" })?.1 else {
      Issue.record("no timestamp")
      return
    }
    #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil, "\(stamp)")
  }

  @Test(arguments: [JSONValue.int(0), .null, .bool(false), .string(""), .double(0), .uint(0)])
  func falsyRequestIDsAnswerErrorsAsMinusOne(id: JSONValue) {
    #expect(WebSocketReply(id: id, error: .notFound("x")).id == .int(-1))
    // Success replies echo the id verbatim.
    #expect(WebSocketReply(id: id, event: "response/status", data: .null).id == id)
  }

  @Test func webSocketReplyEnvelope() {
    let reply = WebSocketReply(id: .string("abc"), event: "response/version", data: ServerVersion(version: "1.2.3").json)
    #expect(reply.json.serialized(pretty: false) == #"{"id":"abc","event":"response/version","data":{"version":"1.2.3","api_version":"v3"}}"#)
    #expect(WebSocketReply(id: .int(7), error: .invalidUsage("bad")).json.serialized(pretty: false).hasPrefix(#"{"id":7,"event":"response/error","data":{"http_code":400,"#))
  }

  @Test func serverStatus() {
    #expect(ServerStatus(timestamp: "t").json.serialized(pretty: false) == #"{"status":"ok","timestamp":"t"}"#)
  }

  static let metadata = PluginMetadataRecord(name: "n", maintainer: "m", tag: "vaporio/n", description: "d", vcs: "v", id: "i")

  @Test func pluginSummaryLeavesOutVCS() {
    #expect(
      PluginSummary(metadata: Self.metadata, active: true).json.serialized(pretty: false)
        == #"{"name":"n","maintainer":"m","tag":"vaporio/n","description":"d","id":"i","active":true}"#)
  }

  @Test func pluginInfo() {
    let version = PluginVersionRecord(pluginVersion: "1", sdkVersion: "2", buildDate: "b", gitCommit: "c", gitTag: "g", arch: "a", os: "o")
    let health = PluginHealthRecord(
      timestamp: "t", status: "OK", checks: [.init(name: "c", status: "OK", message: "", timestamp: "t2", type: "periodic")])
    let info = PluginInfo(metadata: Self.metadata, active: false, address: "unix:/tmp/synse/p.sock", networkProtocol: "unix", version: version, health: health)
    #expect(
      info.json.serialized(pretty: false)
        == #"{"name":"n","maintainer":"m","tag":"vaporio/n","description":"d","vcs":"v","id":"i","active":false,"#
        + #""network":{"address":"unix:/tmp/synse/p.sock","protocol":"unix"},"#
        + #""version":{"plugin_version":"1","sdk_version":"2","build_date":"b","git_commit":"c","git_tag":"g","arch":"a","os":"o"},"#
        + #""health":{"timestamp":"t","status":"OK","checks":[{"name":"c","status":"OK","message":"","timestamp":"t2","type":"periodic"}]}}"#)
  }

  @Test(arguments: [
    (["a", "b"], [String](), 2, "healthy"), (["a"], ["b"], 2, "unhealthy"),
    // A plugin whose call failed is in neither list, and so the whole is unhealthy.
    (["a"], [], 2, "unhealthy"), ([], [], 0, "healthy"),
  ])
  func pluginHealthSummary(healthy: [String], unhealthy: [String], registered: Int, status: String) {
    let summary = PluginHealthSummary(healthy: healthy, unhealthy: unhealthy, registered: registered, active: 1, inactive: 1, updated: "t")
    let list = { (ids: [String]) in "[" + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
    #expect(
      summary.json.serialized(pretty: false)
        == #"{"status":"\#(status)","updated":"t","healthy":\#(list(healthy)),"unhealthy":\#(list(unhealthy)),"active":1,"inactive":1}"#)
  }
}
