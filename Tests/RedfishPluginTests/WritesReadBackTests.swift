import Foundation
@testable import RedfishPlugin
import Testing

/// Reading a written resource back: the properties that confirm a write, the etag for
/// `If-Match` (DSP0266 §7.6.2).
@Suite struct WritesReadBackTests {
  func response(_ json: String, etag: String? = nil) -> RedfishResponse {
    RedfishResponse(status: 200, body: Data(json.utf8), etag: etag)
  }

  @Test func theWritablePropertiesAreRead() throws {
    let state = try RedfishResourceState(
      response(#"{"IndicatorLED": "Blinking", "PowerState": "On", "LocationIndicatorActive": true, "Name": "x"}"#),
      endpoint: "http://bmc", path: "/redfish/v1/Chassis/1")
    #expect(state.values == ["IndicatorLED": .text("Blinking"), "PowerState": .text("On"), "LocationIndicatorActive": .flag(true)])
  }

  @Test func aNullOrMistypedPropertyIsAbsentNotAFailure() throws {
    let state = try RedfishResourceState(
      response(#"{"IndicatorLED": null, "PowerState": 3, "LocationIndicatorActive": "yes"}"#),
      endpoint: "http://bmc", path: "/redfish/v1/Chassis/1")
    #expect(state.values.isEmpty)
  }

  @Test func aBodyThatIsNotAResourceIsMalformed() {
    #expect {
      _ = try RedfishResourceState(response("<html>busy</html>"), endpoint: "http://bmc", path: "/redfish/v1/Systems/1")
    } throws: { error in
      guard let error = error as? RedfishError else { return false }
      return error.kind == .malformed && error.path == "/redfish/v1/Systems/1"
    }
  }

  @Test func ifMatchIsTheBodysEtagThenTheHeadersThenNone() {
    #expect(RedfishResourceState.etag(of: response(#"{"@odata.etag": "W/\"12\""}"#, etag: "\"h\"")) == #"W/"12""#)
    #expect(RedfishResourceState.etag(of: response(#"{"Name": "x"}"#, etag: "\"h\"")) == "\"h\"")
    #expect(RedfishResourceState.etag(of: response(#"{"Name": "x"}"#)) == nil)
  }
}
