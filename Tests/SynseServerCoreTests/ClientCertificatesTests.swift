import Testing
@testable import SynseServerCore

/// `auth.client_certificates`: which verified certificates are whom (docs/auth.md "Client
/// certificates"); the TLS side is proven in Tests/Interop/test_auth_mtls.py with openssl's
/// certificates.
struct ClientCertificatesTests {
  static let entries: JSONValue = .array([
    .object([("name", .string("robot")), ("san", .string("robot.example")), ("scopes", .array([.string("read"), .string("write")]))]),
    .object([("name", .string("viewer")), ("common_name", .string("viewer")), ("scopes", .array([.string("read")]))]),
  ])

  @Test func aCertificateIsMatchedByItsCommonNameOrAnySubjectAltNameExactly() throws {
    let certificates = try ClientCertificates.parse(Self.entries)
    #expect(certificates.caller(commonName: "x", sans: ["a.example", "robot.example"])?.label == "certificate:robot")
    #expect(certificates.caller(commonName: "viewer", sans: [])?.scopes == [.read])
    #expect(certificates.caller(commonName: "Viewer", sans: []) == nil, "a CN matches exactly")
    #expect(certificates.caller(commonName: nil, sans: ["ROBOT.Example"])?.label == "certificate:robot", "DNS names compare without case")
    #expect(certificates.caller(commonName: "robot.example", sans: []) == nil, "a san entry does not match the CN")
    #expect(certificates.caller(commonName: nil, sans: ["viewer"]) == nil, "a common_name entry does not match a SAN")
  }

  @Test func aCertificateIsNoCredentialWhenNoEntryNamesIt() throws {
    var configuration = ServerConfiguration()
    configuration.auth.clientCertificates = try ClientCertificates.parse(Self.entries)
    let authenticator = Authenticator(configuration: configuration)
    #expect(authenticator.isEnabled && authenticator.acceptsCertificates)
    #expect(try authenticator.certificateCaller(commonName: "viewer", sans: [], address: "10.0.0.9").address == "10.0.0.9")
    #expect(throws: SynseError.self) { try authenticator.certificateCaller(commonName: "stranger", sans: [], address: "") }
    #expect(throws: SynseError.self) { try authenticator.certificateCaller(commonName: nil, sans: nil, address: "") }
  }

  @Test(arguments: [
    (JSONValue.object([]), "must be a non-empty list"),
    (.array([]), "must be a non-empty list"),
    (.array([.object([("name", .string("a")), ("scopes", .array([.string("read")]))])]), "needs 'common_name'"),
    (.array([.object([("name", .string("a")), ("common_name", .string("a")), ("san", .string("b")), ("scopes", .array([.string("read")]))])]), "not both"),
    (.array([.object([("name", .string("a")), ("common_name", .string("a")), ("scopes", .array([.string("root")]))])]), "unknown scope 'root'"),
    (.array([.object([("name", .string("a")), ("common_name", .string("a")), ("scopes", .array([.string("read")])), ("cn", .string("a"))])]),
     "'auth.client_certificates[0].cn' is not a client certificate field"),
    (.array([
      .object([("name", .string("a")), ("common_name", .string("a")), ("scopes", .array([.string("read")]))]),
      .object([("name", .string("b")), ("common_name", .string("a")), ("scopes", .array([.string("read")]))]),
    ]), "'auth.client_certificates[1]' matches the same certificates as 'a'"),
  ])
  func aBadEntryIsRefusedNamingIt(json: JSONValue, expected: String) {
    do {
      _ = try ClientCertificates.parse(json)
      Issue.record("accepted: \(json)")
    } catch {
      #expect(error.message.contains(expected), "\(error.message)")
    }
  }
}
