import Foundation
import RedfishPlugin
import SynseSDK
import Testing

/// An LED write sends the resource's etag as `If-Match` (DSP0266 §7.6.2), against OUR TEST
/// DOUBLE (Tests/Fixtures/redfish-session/session_service.py; sushy-emulator offers no etags).
/// The double answers `/redfish/v1/Chassis/1` with `ETag: W/"1"` and `IndicatorLED: Off`.
@Suite(.peer { try TransportPeer.sessionDouble(password: "etag-secret-7") })
struct WritesIfMatchTests {
  @Test func anLEDWritesPatchCarriesTheEtagOfTheResourceJustRead() async throws {
    let peer = try TransportPeerTrait.peer()
    let client = try transportClient([
      ("endpoint", .string(peer.endpoint)), ("username", .string("operator")), ("password", .string("etag-secret-7")),
    ])
    let led = RedfishPoint(key: "/redfish/v1/Chassis/1", path: "/redfish/v1/Chassis/1", deviceType: "led", output: "state",
                           name: "Chassis 1", value: .text("Off"), control: .indicatorLED)
    try await RedfishWriter.write(led, action: "state", data: "off", transport: client)
    await client.shutdown()

    let plain = try transportClient([("endpoint", .string(peer.endpoint))])
    let log = try JSONDecoder().decode(TransportSessionTestDoubleTests.Log.self, from: try await plain.get("/test/log").body)
    await plain.shutdown()
    let patches = log.requests.filter { $0.method == "PATCH" }
    #expect(patches.map(\.path) == ["/redfish/v1/Chassis/1"])
    #expect(patches.first?.headers["if-match"] == #"W/"1""#)
  }
}
