import Foundation
import SynseSDK
import SynseSupport
import Testing

@testable import SNMPPlugin

func settings(port: Int, community: String? = nil, _ extra: [(String, ConfigValue)] = []) throws -> SNMPTargetSettings {
  var pairs: [(String, ConfigValue)] = [("address", .string("127.0.0.1:\(port)"))]
  if let community { pairs.append(("community", .string(community))) }
  return try SNMPTargetSettings(.map(pairs + extra))
}

func v3(port: Int, context: String) throws -> SNMPTargetSettings {
  try settings(
    port: port,
    [
      ("version", .string("v3")), ("user", .string(SNMPSimPeer.user)), ("authProtocol", .string("SHA")), ("authKey", .string(SNMPSimPeer.authKey)),
      ("privProtocol", .string("AES")), ("privKey", .string(SNMPSimPeer.privKey)), ("contextName", .string(context)), ("timeout", .string("1s")),
    ])
}

let library = try! SNMPProfileLibrary.load(directory: nil, outputs: Plugin(metadata: PluginMetadata(name: "t", maintainer: "t"), version: PluginVersion(pluginVersion: "0")).outputs)

/// net-snmp through our session against snmpsim's recordings of real devices, cross-checked with
/// net-snmp's own `snmpwalk` (the independent client).
@Suite(.snmpSim, .serialized)
struct SNMPTransportTests {
  @Test func aWalkOfSeveralColumnsEqualsSnmpwalk() throws {
    let sim = try SNMPSimTrait.peer()
    let session = try SNMPSession(try settings(port: sim.ports[0], community: "apc-8641"))
    let names = OID("1.3.6.1.4.1.318.1.1.26.9.2.4.1.3")!, currents = OID("1.3.6.1.4.1.318.1.1.26.9.4.3.1.6")!
    let walked = try session.walk([names, currents], budget: 14)
    for (column, expected) in [(names, try sim.snmpwalk("apc-8641", names.description)), (currents, try sim.snmpwalk("apc-8641", currents.description))] {
      let ours = try #require(walked[column])
      #expect(ours.count == 24)
      #expect(ours.map { column.appending($0.index).description } == expected.map(\.0))
      #expect(ours.map { $0.value.text ?? "" } == expected.map(\.1))
    }
    // 24 rows, 7 a request: 4 requests, and one more to see both columns end.
    #expect(session.requests <= 5)
  }

  @Test func getbulkReadsThePDUInFewerRequestsThanGetnext() throws {
    let sim = try SNMPSimTrait.peer()
    let profile = try #require(library.profiles["apc-rpdu2"])
    let bulk = try ProfileReader.read(profile, from: try SNMPSession(try settings(port: sim.ports[0], community: "apc-8641")), bulk: true)
    let next = try ProfileReader.read(profile, from: try SNMPSession(try settings(port: sim.ports[0], community: "apc-8641")), bulk: false)
    #expect(bulk.devices.map(\.key) == next.devices.map(\.key))
    #expect(bulk.requests * 4 < next.requests, "GETBULK \(bulk.requests), GETNEXT \(next.requests)")
  }

  @Test func theAPCPDUHas24NamedMeteredSwitchedOutlets() async throws {
    let sim = try SNMPSimTrait.peer()
    let poll = try await SNMPTarget(try settings(port: sim.ports[1], community: "apc-8641"), library: library).poll()
    #expect(poll.profile == "apc-rpdu2")
    let names = try sim.snmpwalk("apc-8641", "1.3.6.1.4.1.318.1.1.26.9.4.3.1.3", port: sim.ports[1]).map(\.1)
    let powers = try sim.snmpwalk("apc-8641", "1.3.6.1.4.1.318.1.1.26.9.4.3.1.7", port: sim.ports[1]).map { Double($0.1)! }
    for outlet in 1...24 {
      let power = try #require(poll.device("outlet-power.\(outlet)"))
      #expect(power.value == .number(powers[outlet - 1]))
      #expect(power.info.contains(names[outlet - 1]))
      #expect(power.thresholds?.upperCritical != nil)
      let current = try #require(poll.device("outlet-current.\(outlet)"))
      guard case .number(let amperes)? = current.value else { Issue.record("outlet \(outlet) current"); continue }
      #expect(amperes >= 0 && amperes < 16)
      let state = try #require(poll.device("outlet-switch.\(outlet)"))
      #expect(state.value == .text("on") || state.value == .text("off"))
    }
    let phase = try #require(poll.device("phase-current.1"))
    #expect(phase.value == .number(6.5))
    #expect(phase.thresholds?.upperCaution?.reading == 19)
    #expect(phase.thresholds?.upperCritical?.reading == 24)
  }

  @Test func sNMPv3AuthPrivReadsTheSameAsV2c() async throws {
    let sim = try SNMPSimTrait.peer()
    let v2 = try await SNMPTarget(try settings(port: sim.ports[2], community: "eaton-93e-80"), library: library).poll()
    let secure = try await SNMPTarget(try v3(port: sim.ports[2], context: "eaton-93e-80"), library: library).poll()
    #expect(secure.profile == "ups-mib")
    #expect(secure.devices.map(\.key) == v2.devices.map(\.key))
    #expect(secure.device("battery-voltage")?.value == .number(521))
  }

  @Test func aWrongKeyIsACredentialsErrorAndAWrongCommunityATimeout() async throws {
    let sim = try SNMPSimTrait.peer()
    // net-snmp keeps one localized key per user and engine for the whole process (its USM user
    // list), and snmpsim is one engine: the wrong key goes to a user no test logs in as rightly.
    let wrongKey = try settings(
      port: sim.ports[3],
      [
        ("version", .string("v3")), ("user", .string("watcher")), ("authProtocol", .string("SHA256")), ("authKey", .string("not-the-watcher-key")),
        ("contextName", .string("geist")), ("timeout", .string("1s")),
      ])
    let refused = await #expect(throws: SNMPError.self) { try await SNMPTarget(wrongKey, library: library).poll() }
    #expect(refused?.kind == .credentials, "\(String(describing: refused))")
    let started = ContinuousClock.now
    let wrongCommunity = try settings(port: sim.ports[3], community: "no-such-community", [("timeout", .string("500ms"))])
    let unanswered = await #expect(throws: SNMPError.self) { try await SNMPTarget(wrongCommunity, library: library).poll() }
    #expect(unanswered?.kind == .unreachable, "\(String(describing: unanswered))")
    // timeout × (retries + 1), and some slack.
    #expect(ContinuousClock.now - started < .seconds(3))
  }

  @Test func anOutletSwitchedOffReadsBackOff() async throws {
    let sim = try SNMPSimTrait.peer()
    let target = SNMPTarget(try settings(port: sim.ports[0], community: "apc-8641-rw"), library: library)
    let control = OID("1.3.6.1.4.1.318.1.1.26.9.2.4.1.5.3")!
    try await target.set(control, integer: 2)
    #expect(try await target.get(control) == .integer(2))
    #expect(try await target.poll().device("outlet-switch.3")?.value == .text("off"))
    try await target.set(control, integer: 1)
    #expect(try await target.poll().device("outlet-switch.3")?.value == .text("on"))
    // The read-only recording refuses the SET: the agent's error, not a silent success.
    await #expect(throws: SNMPError.self) {
      try await SNMPTarget(try settings(port: sim.ports[0], community: "apc-8641"), library: library).set(control, integer: 2)
    }
  }

  @Test func writeDataMatchesAProfilesValuesIgnoringCase() async throws {
    let sim = try SNMPSimTrait.peer()
    let profile = try SNMPProfileParser.parse(
      """
      name: capitals
      devices:
        - {key: sw, type: power, output: state, rows: 1.3.6.1.4.1.318.1.1.26.9.2.4.1.5, value: 1.3.6.1.4.1.318.1.1.26.9.2.4.1.5,
           states: {1: "On", 2: "Off"}, write: {oid: 1.3.6.1.4.1.318.1.1.26.9.2.4.1.5, values: {"On": 1, "Off": 2}, confirm: {"On": "On", "Off": "Off"}}}
      """, file: "capitals.yaml", outputs: outputs)
    let target = SNMPTarget(try settings(port: sim.ports[1], community: "apc-8641-rw"), library: library)
    for (data, raw) in [("off", Int64(2)), ("On", 1)] {
      try await SNMPWrites.state(WriteData(action: "state", data: Array(data.utf8)), device: "sw.7", spec: profile.devices[0], index: OID(index: "7"), on: target)
      #expect(try await target.get(OID("1.3.6.1.4.1.318.1.1.26.9.2.4.1.5.7")!) == .integer(raw))
    }
  }

  @Test func aSecondTargetWithOtherKeysForTheSameUserAndEngineIsRefusedByName() async throws {
    let sim = try SNMPSimTrait.peer()
    _ = try await SNMPTarget(try v3(port: sim.ports[0], context: "geist"), library: library).poll()
    let other = try settings(
      port: sim.ports[1],
      [
        ("version", .string("v3")), ("user", .string(SNMPSimPeer.user)), ("authProtocol", .string("SHA")), ("authKey", .string("another-auth-key")),
        ("privProtocol", .string("AES")), ("privKey", .string(SNMPSimPeer.privKey)), ("contextName", .string("geist")), ("timeout", .string("1s")),
      ])
    let refused = await #expect(throws: SNMPError.self) { try await SNMPTarget(other, library: library).poll() }
    #expect(refused?.kind == .credentials)
    #expect(refused?.message.contains("same SNMP engine as user synse") == true, "\(String(describing: refused))")
    // The first target's keys still work.
    #expect(try await SNMPTarget(try v3(port: sim.ports[2], context: "geist"), library: library).poll().profile == "geist")
  }

  @Test func aDeadTargetDoesNotDelayTheOthers() async throws {
    let sim = try SNMPSimTrait.peer()
    let dead = SNMPTarget(try settings(port: 9, community: "geist", [("timeout", .string("3s")), ("retries", .int(0))]), library: library)
    let live = try sim.ports.map { SNMPTarget(try settings(port: $0, community: "geist"), library: library) }
    let started = ContinuousClock.now
    async let failed: Void = { _ = try? await dead.poll() }()
    for target in live { _ = try await target.poll() }
    #expect(ContinuousClock.now - started < .seconds(2))
    await failed
  }

  @Test func aGeistSetToFahrenheitReadsCelsius() async throws {
    let sim = try SNMPSimTrait.peer()
    let poll = try await SNMPTarget(try settings(port: sim.ports[2], community: "geist-f"), library: library).poll()
    #expect(poll.device("temperature-units")?.value == .text("fahrenheit"))
    #expect(poll.device("internal-temperature.1")?.value == .number(25))
    let celsius = try await SNMPTarget(try settings(port: sim.ports[3], community: "geist"), library: library).poll()
    #expect(celsius.device("internal-dew-point.1")?.value == .number(0.8))
  }

  @Test func entitySensorRowsTakeTheirTypeScaleAndPrecision() async throws {
    let sim = try SNMPSimTrait.peer()
    let poll = try await SNMPTarget(try settings(port: sim.ports[1], community: "paloalto", [("profile", .string("entity-sensor"))]), library: library).poll()
    let fan = try #require(poll.device("sensor.2"))
    #expect(fan.type == "fan" && fan.output == "rpm" && fan.value == .number(4618))
    let temperature = try #require(poll.device("sensor.12"))
    #expect(temperature.type == "temperature" && temperature.value == .number(23))
    #expect(temperature.info == "Temperature @ 10G Phys [U171]")
  }
}
