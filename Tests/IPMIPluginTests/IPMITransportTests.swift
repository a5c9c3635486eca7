import SynseSupport
import Foundation
import PeerSupport
import SynseSDK
import Testing

@testable import IPMIPlugin

func settings(port: Int, username: String = "admin", password: String = "secret", timeout: String = "5s", extra: [(String, ConfigValue)] = [])
  throws -> IPMIEndpointSettings
{
  try IPMIEndpointSettings(
    .map([
      ("host", .string("127.0.0.1")), ("port", .int(Int64(port))), ("username", .string(username)), ("password", .string(password)),
      ("timeout", .string(timeout)),
    ] + extra))
}

func cacheDirectory() throws -> String {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ipmi-sdr-\(UUID().uuidString.prefix(8))")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  return directory.path
}

/// FreeIPMI through our session against OpenIPMI's simulator, cross-checked with FreeIPMI's own
/// `ipmi-sensors` client (an independent reading of the same BMC).
@Suite(.ipmiSim, .serialized)
struct IPMITransportTests {
  @Test func everySensorEqualsIPMISensors() async throws {
    let sim = try IPMISimTrait.peer()
    let bmc = BMCConnection(try settings(port: sim.port), cacheDirectory: try cacheDirectory())
    let poll = try await bmc.poll()
    let rows = try sim.ipmiSensors()
    #expect(rows.count == 5)
    #expect(poll.sensors.count == rows.count)
    func number(_ text: String) -> Double? { text == "N/A" ? nil : Double(text) }
    for row in rows {
      // ID, Name, Type, Reading, Units, LNR, LC, LNC, UNC, UC, UNR, Event
      let name = row[1]
      let reading = try #require(poll.sensors.first { $0.sensor.name == name }, "no sensor \(name)")
      #expect(reading.value.map { String(format: "%.2f", $0) } == number(row[3]).map { String(format: "%.2f", $0) }, "\(name)")
      if reading.sensor.isThreshold {
        #expect(reading.sensor.unit == row[4], "\(name)")
        let t = try #require(reading.thresholds, "\(name) thresholds")
        let ours = [t.lowerNonRecoverable, t.lowerCritical, t.lowerNonCritical, t.upperNonCritical, t.upperCritical, t.upperNonRecoverable]
        #expect(ours.map { $0.map { String(format: "%.2f", $0) } } == row[5...10].map { number($0).map { String(format: "%.2f", $0) } }, "\(name)")
      } else {
        #expect("'\(reading.state ?? "")'" == row[11], "\(name)")
      }
    }
    let cpu = try #require(poll.sensors.first { $0.sensor.name == "CPU Temp" })
    #expect(cpu.hysteresis?.positive == 2 && cpu.hysteresis?.negative == 2)
    #expect(poll.guid == "a1234567-89ab-cdef-a123-456789abcdef")
  }

  @Test func aValueChangedThroughTheConsoleIsReadAndTheSDRIsNotFetchedAgain() async throws {
    let sim = try IPMISimTrait.peer()
    let bmc = BMCConnection(try settings(port: sim.port), cacheDirectory: try cacheDirectory())
    _ = try await bmc.poll()
    try sim.console("sensor_set_value 0x20 0 1 97 0")
    let after = try await bmc.poll()
    #expect(after.sensors.first { $0.sensor.name == "CPU Temp" }?.value == 97)
    try sim.console("sensor_set_value 0x20 0 1 45 0")
    #expect(await bmc.sdrFetches() == 1)
  }

  @Test func powerWritesReachTheChassisAsIpmitoolSeesIt() async throws {
    let sim = try IPMISimTrait.peer()
    // ipmi_sim drops our session whenever ipmitool opens one: each write after an ipmitool
    // call first waits out the timeout on the dropped session, then opens a new one.
    let bmc = BMCConnection(try settings(port: sim.port), cacheDirectory: try cacheDirectory())
    try await IPMIWrites.power(WriteData(action: "state", data: Array("on".utf8)), on: bmc)
    #expect(try await bmc.chassisStatus().powerOn)
    #expect(try sim.ipmitoolPower() == "on")
    try await IPMIWrites.power(WriteData(action: "state", data: Array("off".utf8)), on: bmc)
    #expect(try sim.ipmitoolPower() == "off")
    // IPMI 2.0 §28.3 recommends no action for a cycle of an off chassis (ipmi_sim powers it on):
    // refused at once, not left to time out.
    let refused = try await #require(throws: HandlerError.self) {
      try await IPMIWrites.power(WriteData(action: "state", data: Array("cycle".utf8)), on: bmc)
    }
    #expect("\(refused)".contains("chassis power is off"), "\(refused)")
    #expect(try sim.ipmitoolPower() == "off")
    try await IPMIWrites.power(WriteData(action: "state", data: Array("on".utf8)), on: bmc)
    try await IPMIWrites.power(WriteData(action: "state", data: Array("cycle".utf8)), on: bmc)
    #expect(try sim.ipmitoolPower() == "on")
    await #expect(throws: HandlerError.self) { try await IPMIWrites.power(WriteData(action: "state", data: Array("sideways".utf8)), on: bmc) }
    // ipmi_sim does not answer Chassis Identify reliably: only the refusal before the BMC is checked.
    await #expect(throws: HandlerError.self) { try await IPMIWrites.identify(WriteData(action: "identify", data: Array("0".utf8)), on: bmc) }
  }

  /// ipmi_sim answers a Chassis Identify with whatever its buffer held after the completion
  /// code (OpenIPMI lanserv/bmc_chassis.c leaves the response length unset); the write is done
  /// by that code, as ipmitool judges it, and the chassis program's record shows what reached
  /// the chassis.
  @Test func identifyWritesReachTheChassis() async throws {
    let sim = try IPMISimTrait.peer()
    let bmc = BMCConnection(try settings(port: sim.port, timeout: "1s"), cacheDirectory: try cacheDirectory())
    let record = sim.directory.appendingPathComponent("identify")
    for (action, data, expected) in [("identify", "5", "5 0"), ("state", "on", "0 1"), ("state", "off", "0 0")] {
      try? FileManager.default.removeItem(at: record)
      try await IPMIWrites.identify(WriteData(action: action, data: Array(data.utf8)), on: bmc)
      // ipmi_sim starts the chassis program without waiting for it: its record can land after
      // the answer (or the timeout), so it is waited for, up to 5 s.
      var written: String?
      for _ in 0..<50 {
        written = (try? String(contentsOf: record, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        if written == expected { break }
        try await Task.sleep(for: .milliseconds(100))
      }
      #expect(written == expected, "\(action) \(data)")
    }
    #expect(try await bmc.poll().chassis.identify == nil)
  }

  @Test func aWrongPasswordIsACredentialsError() async throws {
    let sim = try IPMISimTrait.peer()
    let bmc = BMCConnection(try settings(port: sim.port, password: "wrong"), cacheDirectory: try cacheDirectory())
    await #expect(throws: IPMIError(.credentials, "password invalid")) { try await bmc.poll() }
  }

  /// IPMI 1.5 BMCs do not answer a wrong password; FreeIPMI calls that silence a password
  /// verification timeout, which is a credentials problem, not an unreachable BMC.
  @Test func aWrongPasswordOverIPMI15IsACredentialsError() async throws {
    let sim = try IPMISimTrait.peer()
    let bmc = BMCConnection(
      try settings(port: sim.port, password: "wrong", timeout: "1s", extra: [("protocol", .string("lan"))]), cacheDirectory: try cacheDirectory())
    await #expect(throws: IPMIError(.credentials, "password verification timeout")) { try await bmc.poll() }
  }

  /// A cipher suite the BMC lacks gets FreeIPMI's "internal IPMI error": the error names what was asked.
  @Test func aSessionRefusedForAnotherReasonNamesWhatWasAsked() async throws {
    let sim = try IPMISimTrait.peer()
    let bmc = BMCConnection(try settings(port: sim.port, timeout: "1s", extra: [("cipherSuite", .int(17))]), cacheDirectory: try cacheDirectory())
    do {
      _ = try await bmc.poll()
      Issue.record("ipmi_sim took cipher suite 17")
    } catch {
      #expect(error.kind == .bmc && error.message.contains("protocol lanplus, cipher suite 17, privilege admin"), "\(error)")
    }
  }

  @Test func aUserPrivilegeSessionStillReads() async throws {
    let sim = try IPMISimTrait.peer()
    let bmc = BMCConnection(
      try settings(port: sim.port, username: "watcher", password: "look", extra: [("privilege", .string("user"))]),
      cacheDirectory: try cacheDirectory())
    #expect(try await bmc.poll().sensors.count == 5)
  }

  /// The shortest timeout the config takes still opens a session (FreeIPMI refuses a
  /// retransmission timeout not below the session's).
  @Test func theShortestTimeoutWorks() async throws {
    let sim = try IPMISimTrait.peer()
    let bmc = BMCConnection(try settings(port: sim.port, timeout: "100ms"), cacheDirectory: try cacheDirectory())
    #expect(try await bmc.chassisStatus().powerOn || true)
  }

  /// A command the BMC refuses says why, in the completion code's words (ipmi_sim has no soft off).
  @Test func aRefusedCommandNamesItsCompletionCode() async throws {
    let sim = try IPMISimTrait.peer()
    let bmc = BMCConnection(try settings(port: sim.port), cacheDirectory: try cacheDirectory())
    let error = try await #require(throws: IPMIError.self) { try await bmc.chassisControl(.soft) }
    #expect(error.message.contains("completion code 0x"), "\(error)")
  }

  @Test func anUnreachableBMCDoesNotDelayAnother() async throws {
    let sim = try IPMISimTrait.peer()
    let silent = try PeerProcess.freePort(SOCK_DGRAM)
    let dead = BMCConnection(try settings(port: silent, timeout: "3s"), cacheDirectory: try cacheDirectory())
    let live = BMCConnection(try settings(port: sim.port), cacheDirectory: try cacheDirectory())
    let start = ContinuousClock.now
    let failing = Task { () async -> IPMIError? in
      do throws(IPMIError) {
        _ = try await dead.poll()
        return nil
      } catch { return error }
    }
    let reading = try await live.poll()
    let liveDone = ContinuousClock.now - start
    #expect(await failing.value?.kind == .unreachable)
    let deadDone = ContinuousClock.now - start
    #expect(reading.sensors.count == 5)
    // A hang guard far from the behaviour: the live BMC answers in well under the dead one's 3 s.
    #expect(liveDone < deadDone)
    do {
      _ = try await dead.poll()
      Issue.record("an unreachable BMC answered")
    } catch {
      #expect(error.kind == .unreachable)
    }
  }
}

/// The plugin config's BMC entries: exactly the issue's keys, each checked with its name.
struct IPMIEndpointSettingsTests {
  @Test func defaults() throws {
    let parsed = try IPMIEndpointSettings(.map([("host", .string("10.0.0.7")), ("username", .string("admin")), ("password", .string("x"))]))
    #expect(parsed.port == 623 && parsed.privilege == .admin && parsed.cipherSuite == 3 && parsed.protocolVersion == .lanplus)
    #expect(parsed.timeout == .seconds(5))
    #expect(parsed.endpoint == "10.0.0.7:623")
    #expect(!parsed.description.contains("x)"))
  }

  @Test(arguments: [
    ([("host", ConfigValue.string("h")), ("username", .string("u")), ("pasword", .string("p"))], "pasword"),
    ([("username", .string("u")), ("password", .string("p"))], "host"),
    ([("host", .string("h")), ("password", .string("p"))], "username"),
    ([("host", .string("h")), ("username", .string("u"))], "password"),
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("p")), ("port", .int(70000))], "port"),
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("p")), ("privilege", .string("root"))], "privilege"),
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("p")), ("protocol", .string("ssh"))], "protocol"),
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("p")), ("cipherSuite", .int(42))], "cipherSuite"),
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("p")), ("timeout", .string("forever"))], "timeout"),
    ([("host", .string("h")), ("username", .string("u")), ("password", .int(123))], "password"),
    ([("host", .string("h")), ("username", .string("u")), ("passwordFile", .string("/nonexistent/secret"))], "passwordFile"),
    // Refused by every BMC later, with a less helpful word: IPMI's own limits and FreeIPMI's suites.
    ([("host", .string("h")), ("username", .string("seventeen-bytes-x")), ("password", .string("p"))], "username"),
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("twenty-one-bytes-long"))], "password"),
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("seventeen-bytes-x")), ("protocol", .string("lan"))], "password"),
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("p")), ("cipherSuite", .int(5))], "cipherSuite"),
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("p")), ("cipherSuite", .int(-1))], "cipherSuite"),
    // FreeIPMI would take the port from the host text and ignore `port`.
    ([("host", .string("bmc7:623")), ("username", .string("u")), ("password", .string("p"))], "host"),
    ([("host", .string("[bmc7]")), ("username", .string("u")), ("password", .string("p"))], "host"),
    ([("host", .string("[::1]:623")), ("username", .string("u")), ("password", .string("p"))], "host"),
    // Keys ignore case, so a second spelling would silently win.
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("p")), ("Host", .string("x"))], "Host"),
    // IPMI 1.5 has no cipher suites: a set one would be ignored.
    ([("host", .string("h")), ("username", .string("u")), ("password", .string("p")), ("protocol", .string("lan")), ("cipherSuite", .int(3))], "cipherSuite"),
  ] as [([(String, ConfigValue)], String)])
  func aBadEntryNamesItsKey(pairs: [(String, ConfigValue)], key: String) {
    do {
      _ = try IPMIEndpointSettings(.map(pairs.map { (key: $0.0, value: $0.1) }))
      Issue.record("accepted \(pairs)")
    } catch {
      #expect(error.key == key)
    }
  }

  @Test func limitsAndAddressesThatAreValid() throws {
    let longest = try IPMIEndpointSettings(
      .map([("host", .string("[fd00::7]")), ("username", .string("sixteen-bytes-xx")), ("password", .string("twenty-bytes-long-xx")), ("cipherSuite", .int(17))]))
    #expect(longest.host == "fd00::7" && longest.endpoint == "[fd00::7]:623" && longest.cipherSuite == 17)
    #expect(try IPMIEndpointSettings(.map([("host", .string("::1")), ("username", .string("u")), ("password", .string(""))])).endpoint == "[::1]:623")
  }

  /// A file written on Windows ends in CRLF, which is one Character in Swift: only the line end
  /// goes, never the password's last character.
  @Test(arguments: ["s3cret\r\n", "s3cret\n", "s3cret"])
  func aPasswordFileLosesOnlyItsLineEnd(content: String) throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("ipmi-password-\(UUID().uuidString.prefix(8))")
    try Data(content.utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let parsed = try IPMIEndpointSettings(.map([("host", .string("h")), ("username", .string("u")), ("passwordFile", .string(file.path))]))
    #expect(parsed.password == "s3cret")
  }
}
