import Foundation
import Logging
import RedfishPlugin
import SynseSDK
import Testing

/// sushy-emulator, the fake driver on (config file), state in the peer's temp dir; with
/// `SUSHY_EMULATOR_DISABLE_POWER_OFF` it refuses ForceOff/GracefulShutdown with a 400.
func writesSushy(disablePowerOff: Bool = false) throws -> TransportPeer {
  try TransportPeer("sushy-emulator", prepare: { directory in
    let python = TransportPeer.venv.appendingPathComponent("python").path
    try TransportPeer.shell(
      "\(python) -c \"import bcrypt; print('admin:' + bcrypt.hashpw(b'writes-secret', bcrypt.gensalt(rounds=4)).decode())\" > htpasswd && mkdir state",
      in: directory)
    let config = """
      SUSHY_EMULATOR_FAKE_DRIVER = True
      SUSHY_EMULATOR_STATE_DIR = '\(directory.path)/state'
      SUSHY_EMULATOR_AUTH_FILE = '\(directory.path)/htpasswd'
      SUSHY_EMULATOR_DISABLE_POWER_OFF = \(disablePowerOff ? "True" : "False")
      """
    try config.write(to: directory.appendingPathComponent("emulator.conf"), atomically: true, encoding: .utf8)
  }, arguments: { port, directory in
    ["--config", directory.appendingPathComponent("emulator.conf").path, "-i", "127.0.0.1", "-p", "\(port)"]
  })
}


/// ``RedfishWriter`` through the real ``RedfishClient`` against sushy-emulator 2.2.0 (`--fake`
/// driver via its config file, Basic auth): a write returns only once the BMC shows the new
/// state, a BMC's refusal carries its own text, and cancellation ends a write still waiting.
@Suite(.serialized, .peer { try writesSushy() })
struct WritesSushyTests {
  static let system = "/redfish/v1/Systems/27946b59-9e44-4fa7-8e91-f3527a1ef094"
  static let resetTarget = system + "/Actions/ComputerSystem.Reset"
  static let sushyResets = WriteResources.sushyResets

  let client: RedfishClient

  init() throws {
    client = try Self.client(of: try TransportPeerTrait.peer())
  }

  static func client(of peer: TransportPeer) throws -> RedfishClient {
    try transportClient([
      ("endpoint", .string(peer.endpoint)), ("username", .string("admin")), ("password", .string("writes-secret")),
      ("timeout", .string("5s")),
    ])
  }

  func property(_ name: String, of path: String) async throws -> String? {
    let body = try await client.get(path).body
    return (try JSONSerialization.jsonObject(with: body) as? [String: Any])?[name] as? String
  }

  func chassis(_ client: RedfishClient? = nil) async throws -> String {
    let body = try await (client ?? self.client).get("/redfish/v1/Chassis").body
    let members = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["Members"] as? [[String: Any]]
    return try #require(members?.first?["@odata.id"] as? String)
  }

  @Test func anLEDWriteReturnsWithTheBMCShowingIt() async throws {
    let path = try await chassis()
    let led = RedfishPoint(key: path, path: path, deviceType: "led", output: "state", name: "LED", value: .text("Lit"),
                           control: .indicatorLED)
    for (data, lit) in [("blink", "Blinking"), ("off", "Off"), ("on", "Lit")] {
      try await RedfishWriter.write(led, action: "state", data: data, transport: client)
      #expect(try await property("IndicatorLED", of: path) == lit)
    }
    await client.shutdown()
  }

  /// The fake driver applies a reset 1–11 s after its 204, so a writer that returned at the
  /// POST would leave `PowerState` still Off here.
  @Test func powerOnReturnsOnlyOnceTheSystemIsOn() async throws {
    let power = RedfishPoint(key: Self.system + "#/PowerState", path: Self.system, deviceType: "power-state",
                             output: "state", name: "fake", value: .text("Off"),
                             control: .reset(target: Self.resetTarget, allowable: Self.sushyResets))
    #expect(try await property("PowerState", of: Self.system) == "Off")
    try await RedfishWriter.write(power, action: "state", data: "on", transport: client)
    #expect(try await property("PowerState", of: Self.system) == "On")
    await client.shutdown()
  }

  /// A write whose state never comes (the chassis' PowerState stays On whatever the system
  /// does) waits until cancelled, as the SDK does at the device's writeTimeout, then ends at once.
  @Test(.timeLimit(.minutes(1))) func aWriteStillWaitingEndsWhenCancelled() async throws {
    // Its own BMC: the ForceOff it sends must not be pending when another test powers on.
    let peer = try await offThePool { try writesSushy() }
    defer { peer.stop() }
    let own = try Self.client(of: peer)
    let path = try await chassis(own)
    let never = RedfishPoint(key: path, path: path, deviceType: "power-state", output: "state", name: "x", value: .absent,
                             control: .reset(target: Self.resetTarget, allowable: Self.sushyResets))
    let write = Task { try await RedfishWriter.write(never, action: "state", data: "off", transport: own) }
    try await Task.sleep(for: .seconds(1.5))
    let cancelled = ContinuousClock.now
    write.cancel()
    // The BMC accepted the ForceOff: the error says what the system still reads back.
    let error = await #expect(throws: HandlerError.self) { try await write.value }
    #expect(error?.message.contains("still shows PowerState") == true && error?.message.contains("wanted") == true, "\(String(describing: error))")
    // Without cancellation the write waits for the power state forever (the time limit ends it).
    #expect(ContinuousClock.now - cancelled < .seconds(15))
    await own.shutdown()
    await client.shutdown()
  }

  @Test func aBMCRefusalCarriesTheBMCsOwnText() async throws {
    let refusing = try writesSushy(disablePowerOff: true)
    defer { refusing.stop() }
    let other = try Self.client(of: refusing)
    let power = RedfishPoint(key: Self.system, path: Self.system, deviceType: "power-state", output: "state", name: "fake",
                             value: .text("Off"), control: .reset(target: Self.resetTarget, allowable: Self.sushyResets))
    await #expect {
      try await RedfishWriter.write(power, action: "state", data: "off", transport: other)
    } throws: { error in
      let message = (error as? HandlerError)?.message ?? ""
      return message.hasPrefix("POST \(Self.resetTarget) {\"ResetType\": \"ForceOff\"} was refused: redfish \(refusing.endpoint)")
        && message.contains("HTTP 400") && message.contains("Can not request power off transition")
    }
    await other.shutdown()
    await client.shutdown()
  }
}
