import Foundation
@testable import RedfishPlugin
import SynseSDK
import Testing

/// The resources the write tests name (DMTF mockup style paths).
enum WriteResources {
  static let chassis = "/redfish/v1/Chassis/1"
  static let system = "/redfish/v1/Systems/1"
  static let reset = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
  static let outlet = "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1"
  static let control = "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1/Outlet.PowerControl"
  /// What sushy-emulator 2.2.0 and the DMTF rackmount mockup list.
  static let sushyResets = ["On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn"]
}

/// Synse `state` writes → the Redfish request and the read-back value that confirms it
/// (DSP0268 Resource `IndicatorLED`/`LocationIndicatorActive`, ComputerSystem `ResetType`,
/// Outlet `PowerState`), and every refusal's text; no network.
@Suite struct WritesPlanTests {
  static let (chassis, system, reset, outlet, control) = (
    WriteResources.chassis, WriteResources.system, WriteResources.reset, WriteResources.outlet, WriteResources.control
  )
  static let sushyResets = WriteResources.sushyResets

  struct Case: Sendable, CustomTestStringConvertible {
    var control: RedfishControl
    var path: String
    var data: String
    var method: RedfishWritePlan.Method
    var target: String
    var body: String
    var readBack: String
    var expected: RedfishScalar
    var testDescription: String { "\(control) '\(data)'" }
  }

  static let cases: [Case] = [
    Case(control: .indicatorLED, path: chassis, data: "on", method: .patch, target: chassis,
         body: #"{"IndicatorLED":"Lit"}"#, readBack: "IndicatorLED", expected: .text("Lit")),
    Case(control: .indicatorLED, path: chassis, data: "off", method: .patch, target: chassis,
         body: #"{"IndicatorLED":"Off"}"#, readBack: "IndicatorLED", expected: .text("Off")),
    Case(control: .indicatorLED, path: chassis, data: "blink", method: .patch, target: chassis,
         body: #"{"IndicatorLED":"Blinking"}"#, readBack: "IndicatorLED", expected: .text("Blinking")),
    Case(control: .indicatorLED, path: chassis, data: "Blinking", method: .patch, target: chassis,
         body: #"{"IndicatorLED":"Blinking"}"#, readBack: "IndicatorLED", expected: .text("Blinking")),
    Case(control: .indicatorLED, path: chassis, data: " ON ", method: .patch, target: chassis,
         body: #"{"IndicatorLED":"Lit"}"#, readBack: "IndicatorLED", expected: .text("Lit")),
    Case(control: .locationIndicator, path: chassis, data: "on", method: .patch, target: chassis,
         body: #"{"LocationIndicatorActive":true}"#, readBack: "LocationIndicatorActive", expected: .flag(true)),
    Case(control: .locationIndicator, path: chassis, data: "off", method: .patch, target: chassis,
         body: #"{"LocationIndicatorActive":false}"#, readBack: "LocationIndicatorActive", expected: .flag(false)),
    Case(control: .reset(target: reset, allowable: sushyResets), path: system, data: "on", method: .post, target: reset,
         body: #"{"ResetType":"On"}"#, readBack: "PowerState", expected: .text("On")),
    Case(control: .reset(target: reset, allowable: sushyResets), path: system, data: "off", method: .post, target: reset,
         body: #"{"ResetType":"ForceOff"}"#, readBack: "PowerState", expected: .text("Off")),
    // No PowerCycle on sushy-emulator: a cycle is a ForceRestart, confirmed when On again.
    Case(control: .reset(target: reset, allowable: sushyResets), path: system, data: "cycle", method: .post, target: reset,
         body: #"{"ResetType":"ForceRestart"}"#, readBack: "PowerState", expected: .text("On")),
    Case(control: .reset(target: reset, allowable: sushyResets), path: system, data: "reset", method: .post, target: reset,
         body: #"{"ResetType":"ForceRestart"}"#, readBack: "PowerState", expected: .text("On")),
    Case(control: .reset(target: reset, allowable: sushyResets), path: system, data: "GracefulShutdown", method: .post,
         target: reset, body: #"{"ResetType":"GracefulShutdown"}"#, readBack: "PowerState", expected: .text("Off")),
    Case(control: .reset(target: reset, allowable: sushyResets), path: system, data: "forceoff", method: .post,
         target: reset, body: #"{"ResetType":"ForceOff"}"#, readBack: "PowerState", expected: .text("Off")),
    Case(control: .reset(target: reset, allowable: sushyResets), path: system, data: "GracefulRestart", method: .post,
         target: reset, body: #"{"ResetType":"GracefulRestart"}"#, readBack: "PowerState", expected: .text("On")),
    Case(control: .reset(target: reset, allowable: ["ForceOn", "GracefulShutdown", "PowerCycle"]), path: system,
         data: "on", method: .post, target: reset, body: #"{"ResetType":"ForceOn"}"#, readBack: "PowerState", expected: .text("On")),
    Case(control: .reset(target: reset, allowable: ["ForceOn", "GracefulShutdown", "PowerCycle"]), path: system,
         data: "off", method: .post, target: reset, body: #"{"ResetType":"GracefulShutdown"}"#, readBack: "PowerState",
         expected: .text("Off")),
    Case(control: .reset(target: reset, allowable: ["ForceOn", "GracefulShutdown", "PowerCycle"]), path: system,
         data: "cycle", method: .post, target: reset, body: #"{"ResetType":"PowerCycle"}"#, readBack: "PowerState",
         expected: .text("On")),
    // No @Redfish.AllowableValues: the whole ResetType enum may be sent.
    Case(control: .reset(target: reset, allowable: []), path: system, data: "cycle", method: .post, target: reset,
         body: #"{"ResetType":"PowerCycle"}"#, readBack: "PowerState", expected: .text("On")),
    Case(control: .reset(target: reset, allowable: []), path: system, data: "off", method: .post, target: reset,
         body: #"{"ResetType":"ForceOff"}"#, readBack: "PowerState", expected: .text("Off")),
    Case(control: .outletPower(target: control, allowable: []), path: outlet, data: "on", method: .post, target: control,
         body: #"{"PowerState":"On"}"#, readBack: "PowerState", expected: .text("On")),
    Case(control: .outletPower(target: control, allowable: []), path: outlet, data: "off", method: .post, target: control,
         body: #"{"PowerState":"Off"}"#, readBack: "PowerState", expected: .text("Off")),
    Case(control: .outletPower(target: control, allowable: ["On", "Off", "PowerCycle"]), path: outlet, data: "cycle",
         method: .post, target: control, body: #"{"PowerState":"PowerCycle"}"#, readBack: "PowerState", expected: .text("On")),
    Case(control: .outletPower(target: control, allowable: []), path: outlet, data: "PowerCycle", method: .post,
         target: control, body: #"{"PowerState":"PowerCycle"}"#, readBack: "PowerState", expected: .text("On")),
  ]

  @Test(arguments: cases) func aWriteBecomesOneRequestAndTheValueThatConfirmsIt(_ row: Case) throws {
    let plan = try RedfishWritePlan(control: row.control, path: row.path, action: "state", data: row.data)
    #expect(plan.method == row.method)
    #expect(plan.path == row.target)
    #expect(String(decoding: plan.body, as: UTF8.self) == row.body)
    #expect(plan.readBack == row.readBack)
    #expect(plan.expected == row.expected)
  }

  @Test(arguments: [RedfishControl.indicatorLED, .locationIndicator, .reset(target: reset, allowable: []),
                    .outletPower(target: control, allowable: [])])
  func everyControlTakesTheOneActionState(_ control: RedfishControl) {
    #expect(RedfishWriter.actions(for: control) == ["state"])
  }
}
