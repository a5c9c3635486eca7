import RedfishPlugin
import Testing

@Suite struct RedfishErrorTests {
  @Test func theTextNamesTheEndpointAndPathButNoCredentials() {
    let error = RedfishError(.unauthorized, endpoint: "https://10.0.0.5", path: "/redfish/v1/Chassis", httpStatus: 401, message: "401 Unauthorized")
    #expect(error.description == "redfish https://10.0.0.5/redfish/v1/Chassis: 401 Unauthorized")
  }
}
