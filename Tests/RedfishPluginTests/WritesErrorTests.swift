import Foundation
@testable import RedfishPlugin
import SynseSDK
import Testing

/// Refused writes: bad action or data named with the accepted values before any request, and
/// a transport failure named with the request it refused.
@Suite struct WritesErrorTests {
  static let (chassis, system, reset, outlet) = (
    WriteResources.chassis, WriteResources.system, WriteResources.reset, WriteResources.outlet
  )
  static let sushyResets = WriteResources.sushyResets
  static let sushyWanted = "on, off, cycle, reset, ForceOff, GracefulShutdown, GracefulRestart, ForceRestart or ForceOn"

  struct Case: Sendable, CustomTestStringConvertible {
    var control: RedfishControl
    var path: String
    var action = "state"
    var data: String
    var message: String
    var testDescription: String { "\(control) \(action) '\(data)'" }
  }

  static let cases: [Case] = [
    Case(control: .indicatorLED, path: chassis, action: "color", data: "ff0000",
         message: "unsupported write action 'color' for /redfish/v1/Chassis/1 (want state)"),
    Case(control: .indicatorLED, path: chassis, data: "purple",
         message: "unsupported LED state 'purple' for /redfish/v1/Chassis/1 (want on, off or blink)"),
    Case(control: .indicatorLED, path: chassis, data: "",
         message: "write action 'state' requires data (want on, off or blink)"),
    Case(control: .locationIndicator, path: chassis, data: "blink",
         message: "LED state 'blink' is not available for /redfish/v1/Chassis/1: it has only LocationIndicatorActive (want on or off)"),
    Case(control: .locationIndicator, path: chassis, data: "Lit",
         message: "unsupported LED state 'Lit' for /redfish/v1/Chassis/1 (want on or off)"),
    Case(control: .reset(target: reset, allowable: ["On", "ForceOff"]), path: system, data: "cycle",
         message: "power state 'cycle' is not possible on /redfish/v1/Systems/1: it needs ResetType PowerCycle, "
           + "ForceRestart or GracefulRestart, and the system allows only On and ForceOff"),
    Case(control: .reset(target: reset, allowable: sushyResets), path: system, data: "Nmi",
         message: "ResetType 'Nmi' leaves no power state to confirm on /redfish/v1/Systems/1 (want \(sushyWanted))"),
    Case(control: .reset(target: reset, allowable: sushyResets), path: system, data: "powercycle",
         message: "ResetType 'PowerCycle' is not allowed by the system on /redfish/v1/Systems/1 (want \(sushyWanted))"),
    Case(control: .reset(target: reset, allowable: sushyResets), path: system, data: "dim",
         message: "unsupported power state 'dim' for /redfish/v1/Systems/1 (want \(sushyWanted))"),
    Case(control: .reset(target: reset, allowable: ["On", "ForceOff"]), path: system, data: "",
         message: "write action 'state' requires data (want on, off, cycle, reset or ForceOff)"),
    Case(control: .outletPower(target: outlet + "/Outlet.PowerControl", allowable: ["On", "Off"]), path: outlet,
         data: "cycle",
         message: "outlet power state 'cycle' is not possible on /redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1: "
           + "it needs PowerState PowerCycle, and the outlet allows only On and Off"),
    Case(control: .outletPower(target: outlet + "/Outlet.PowerControl", allowable: []), path: outlet, data: "blink",
         message: "unsupported outlet power state 'blink' for /redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1 "
           + "(want on, off or cycle)"),
  ]

  @Test(arguments: cases) func badInputIsRefusedNamingWhatIsAccepted(_ row: Case) {
    #expect {
      _ = try RedfishWritePlan(control: row.control, path: row.path, action: row.action, data: row.data)
    } throws: { ($0 as? HandlerError)?.message == row.message }
  }

  /// A transport that fails every call: the writer must refuse bad input before using it.
  struct NoRequests: RedfishTransport {
    var endpoint: String { "http://127.0.0.1:9" }
    func fail(_ path: String) -> RedfishError { RedfishError(.unreachable, endpoint: endpoint, path: path, message: "request made") }
    func get(_ path: String) async throws(RedfishError) -> RedfishResponse { throw fail(path) }
    func patch(_ path: String, body: Data, ifMatch: String?) async throws(RedfishError) -> RedfishResponse { throw fail(path) }
    func post(_ path: String, body: Data) async throws(RedfishError) -> RedfishResponse { throw fail(path) }
  }

  @Test(arguments: cases) func theWriterRefusesBadInputBeforeAnyRequest(_ row: Case) async {
    let point = RedfishPoint(key: row.path, path: row.path, deviceType: "led", output: "state", name: "x",
                             value: .absent, control: row.control)
    await #expect {
      try await RedfishWriter.write(point, action: row.action, data: row.data, transport: NoRequests())
    } throws: { ($0 as? HandlerError)?.message == row.message }
  }

  @Test func aReadOnlyPointIsRefused() async {
    let point = RedfishPoint(key: "k", path: "/redfish/v1/Chassis/1/Sensors/Temp", deviceType: "temperature",
                             output: "temperature", name: "Temp", value: .number(20))
    await #expect {
      try await RedfishWriter.write(point, action: "state", data: "on", transport: NoRequests())
    } throws: {
      ($0 as? HandlerError)?.message == "/redfish/v1/Chassis/1/Sensors/Temp is read-only: Redfish offers no write for it"
    }
  }

  @Test func aRefusedRequestNamesThePlanAndTheTransportError() async {
    let point = RedfishPoint(key: "k", path: Self.system, deviceType: "power", output: "state", name: "System",
                             value: .text("On"), control: .reset(target: Self.reset, allowable: Self.sushyResets))
    await #expect {
      try await RedfishWriter.write(point, action: "state", data: "off", transport: NoRequests())
    } throws: {
      ($0 as? HandlerError)?.message == "POST /redfish/v1/Systems/1/Actions/ComputerSystem.Reset "
        + "{\"ResetType\": \"ForceOff\"} was refused: redfish http://127.0.0.1:9/redfish/v1/Systems/1/Actions/"
        + "ComputerSystem.Reset: request made"
    }
  }
}
