import Foundation
import RedfishPlugin
import SynseSDK
import Testing

/// sushy-emulator (fake driver) over HTTPS with a self-signed certificate made by openssl for
/// 127.0.0.1, as BMCs ship them: refused by default, accepted with that certificate as `caFile`
/// or with `insecureSkipVerify`. (Not sushy-static: its HTTPS bodies end only at an unclean TLS
/// close, which AsyncHTTPClient rightly refuses as possibly truncated.)
@Suite(.peer {
  try TransportPeer("sushy-emulator", scheme: "https", prepare: { directory in
    try TransportPeer.shell(
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 -subj /CN=127.0.0.1"
        + " -addext subjectAltName=IP:127.0.0.1", in: directory)
    let config = "SUSHY_EMULATOR_FAKE_DRIVER = True\nSUSHY_EMULATOR_STATE_DIR = '\(directory.appendingPathComponent("state").path)'\n"
    try config.write(to: directory.appendingPathComponent("emulator.conf"), atomically: true, encoding: .utf8)
  }) { port, directory in
    ["--config", directory.appendingPathComponent("emulator.conf").path, "-i", "127.0.0.1", "-p", "\(port)", "--fake",
     "--ssl-certificate", directory.appendingPathComponent("cert.pem").path,
     "--ssl-key", directory.appendingPathComponent("key.pem").path]
  }
})
struct TransportTLSTests {
  @Test func aSelfSignedCertificateIsRefusedWithoutCaFile() async throws {
    let peer = try TransportPeerTrait.peer()
    let client = try transportClient([("endpoint", .string(peer.endpoint))])
    let error = try #require(await transportFailure { () async throws(RedfishError) in try await client.get("/redfish/v1/") })
    #expect(error.kind == .unreachable, "\(error)")
    #expect(error.message == "TLS handshake failed: the BMC's certificate is not trusted; a self-signed BMC needs caFile or insecureSkipVerify", "\(error)")
    await client.shutdown()
  }

  @Test func theCertificateAsCaFileIsTrusted() async throws {
    let peer = try TransportPeerTrait.peer()
    let ca = peer.directory.appendingPathComponent("cert.pem").path
    let client = try transportClient([("endpoint", .string(peer.endpoint)), ("caFile", .string(ca))])
    #expect(try await client.get("/redfish/v1/Systems").status == 200)
    await client.shutdown()
  }

  @Test func insecureSkipVerifyAcceptsAnyCertificate() async throws {
    let peer = try TransportPeerTrait.peer()
    let client = try transportClient([("endpoint", .string(peer.endpoint)), ("insecureSkipVerify", .bool(true))])
    #expect(try await client.get("/redfish/v1/Systems").status == 200)
    await client.shutdown()
  }
}
