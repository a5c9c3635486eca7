import Hummingbird
import Testing
@testable import SynseServer
@testable import SynseServerCore

/// Which scope each route needs (docs/auth.md "Scopes"), the HTTP twin of each WebSocket event.
struct AccessRequirementTests {
  @Test(arguments: [
    ("GET", "/test", nil, AccessRequirement.open),
    ("GET", "/metrics", nil, .open),
    ("GET", "/version", nil, .scope(.read)),
    ("GET", "/v3/connect", nil, .authenticated),
    ("GET", "/v3/config", nil, .scope(.admin)),
    ("GET", "//v3//config/", nil, .scope(.admin)),
    ("GET", "/v3/plugin", "refresh=true", .scope(.admin)),
    ("GET", "/v3/plugin", "refresh=false", .scope(.read)),
    ("GET", "/v3/plugin/health", "refresh=true", .scope(.read)),
    ("GET", "/v3/scan", "force=true", .scope(.read)),
    ("GET", "/v3/device/abc", nil, .scope(.read)),
    ("POST", "/v3/device/abc", nil, .scope(.write)),
    ("POST", "/v3/write/abc", nil, .scope(.write)),
    ("POST", "/v3/write/wait/abc", nil, .scope(.write)),
    ("GET", "/v3/transaction", nil, .scope(.write)),
    ("GET", "/v3/transaction/t1", nil, .scope(.write)),
    ("GET", "/v3/events", nil, .scope(.read)),
    ("GET", "/nope", nil, .scope(.read)),
    ("GET", "/test/more", nil, .scope(.read)),
    // Segments compared whole: a name's prefix or extension is another route.
    ("GET", "/tes", nil, .scope(.read)),
    ("GET", "/testx", nil, .scope(.read)),
    ("GET", "/v3/conf", nil, .scope(.read)),
    ("GET", "/v3/configs", nil, .scope(.read)),
    ("GET", "/v3/writes", nil, .scope(.read)),
    ("GET", "/v3", nil, .scope(.read)),
    ("GET", "/", nil, .scope(.read)),
    ("GET", "", nil, .scope(.read)),
    ("GET", "/v33/config", nil, .scope(.read)),
  ] as [(String, String, String?, AccessRequirement)])
  func eachRouteNeedsItsScope(method: String, path: String, query: String?, expected: AccessRequirement) {
    #expect(AccessRequirement(method: HTTPRequest.Method(method)!, path: path, query: query) == expected)
  }

  @Test func eachWebSocketEventNeedsWhatItsHTTPTwinNeeds() {
    let refresh = WebSocketData(.object([("refresh", .bool(true))]))
    let none = WebSocketData(nil)
    #expect(WebSocketEvent.config.scope(none) == .admin)
    #expect(WebSocketEvent.plugins.scope(refresh) == .admin && WebSocketEvent.plugins.scope(none) == .read)
    for event in [WebSocketEvent.writeAsync, .writeSync, .transaction, .transactions] { #expect(event.scope(none) == .write) }
    let reads = WebSocketEvent.allCases.filter { ![.config, .plugins, .writeAsync, .writeSync, .transaction, .transactions].contains($0) }
    #expect(reads.count == 10 && reads.allSatisfy { $0.scope(none) == .read })
  }
}
