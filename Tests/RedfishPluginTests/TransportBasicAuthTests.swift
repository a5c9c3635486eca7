import Foundation
import RedfishPlugin
import SynseSDK
import Testing

/// HTTP Basic against sushy-emulator 2.2.0 (fake driver, bcrypt htpasswd from the venv's
/// bcrypt): it offers no session service, so the client falls back to Basic on every request.
@Suite(.peer {
  try TransportPeer("sushy-emulator", prepare: { directory in
    try TransportPeer.shell(
      "../../../.venv/bin/python -c \"import bcrypt; print('admin:' + bcrypt.hashpw(b'basic-secret-7', bcrypt.gensalt(4)).decode())\" > htpasswd"
        .replacingOccurrences(of: "../../../.venv", with: TransportPeer.venv.deletingLastPathComponent().path), in: directory)
    let config = """
      SUSHY_EMULATOR_FAKE_DRIVER = True
      SUSHY_EMULATOR_STATE_DIR = '\(directory.appendingPathComponent("state").path)'
      SUSHY_EMULATOR_AUTH_FILE = '\(directory.appendingPathComponent("htpasswd").path)'

      """
    try config.write(to: directory.appendingPathComponent("emulator.conf"), atomically: true, encoding: .utf8)
  }) { port, directory in
    ["--config", directory.appendingPathComponent("emulator.conf").path, "-i", "127.0.0.1", "-p", "\(port)", "--fake"]
  }
})
struct TransportBasicAuthTests {
  static let password = "basic-secret-7"

  @Test func theRightPasswordFromAPasswordFileReadsAProtectedResource() async throws {
    let peer = try TransportPeerTrait.peer()
    let file = peer.directory.appendingPathComponent("password-\(UUID().uuidString.prefix(6))")
    try (Self.password + "\n").write(to: file, atomically: true, encoding: .utf8)
    let log = CapturedLog()
    let client = try transportClient(
      [("endpoint", .string(peer.endpoint)), ("username", .string("admin")), ("passwordFile", .string(file.path))], log: log)
    let systems = try await client.get("/redfish/v1/Systems")
    #expect(systems.status == 200)
    // The service root (the login probe, unauthenticated) and the GET itself.
    #expect(client.requestCount == 2)
    #expect(log.text.contains("HTTP Basic"), "\(log.text)")
    await client.shutdown()
    #expect(!log.text.contains(Self.password) && !log.text.contains("admin"), "\(log.text)")
  }

  @Test func aWrongPasswordIsUnauthorizedNamingTheEndpointNotThePassword() async throws {
    let peer = try TransportPeerTrait.peer()
    let wrong = "wrong-pw-\(UUID().uuidString.prefix(6))"
    let log = CapturedLog()
    let client = try transportClient(
      [("endpoint", .string(peer.endpoint)), ("username", .string("admin")), ("password", .string(wrong))], log: log)
    let error = try #require(await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/Systems") })
    #expect(error.kind == .unauthorized && error.httpStatus == 401, "\(error)")
    #expect(error.description.hasPrefix("redfish \(peer.endpoint)/redfish/v1/Systems: HTTP 401"), "\(error)")
    let basic = Data("admin:\(wrong)".utf8).base64EncodedString()
    for text in [error.description, log.text] {
      #expect(!text.contains(wrong) && !text.contains(basic), "\(text)")
    }
    await client.shutdown()
  }

  @Test func noCredentialsOnAProtectedResourceIsUnauthorized() async throws {
    let peer = try TransportPeerTrait.peer()
    let client = try transportClient([("endpoint", .string(peer.endpoint))])
    let error = try #require(await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/Systems") })
    #expect(error.kind == .unauthorized, "\(error)")
    await client.shutdown()
  }
}
