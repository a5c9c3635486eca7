import SynseSupport
import Testing

struct HostPortTests {
  @Test(arguments: [
    ("localhost:5001", "localhost", 5001),
    ("10.0.0.2:5001", "10.0.0.2", 5001),
    ("emulator.synse.svc:5001", "emulator.synse.svc", 5001),
    (":2112", "", 2112),
    ("127.0.0.1:0", "127.0.0.1", 0),
    ("host:65535", "host", 65535),
    ("[::1]:5001", "::1", 5001),
    ("[fe80::1%eth0]:8125", "fe80::1%eth0", 8125),
    ("[::]:0", "::", 0),
  ])
  func parsesHostAndPort(text: String, host: String, port: Int) throws {
    let address = try HostPort(parsing: text)
    #expect(address == HostPort(host: host, port: port))
    // Printing gives back what was parsed, brackets included.
    #expect(address.description == text)
  }

  @Test(arguments: [
    ("localhost", HostPortError.Code.missingPort),
    ("localhost:", .missingPort),
    ("", .missingPort),
    ("[::1]", .missingPort),
    ("[::1]:", .missingPort),
    ("host:http", .invalidPort),
    ("host:65536", .invalidPort),
    ("host:-1", .invalidPort),
    ("host:+80", .invalidPort),
    ("host: 80", .invalidPort),
    ("host:123456", .invalidPort),
    ("host:٨٠", .invalidPort),
    ("::1:5001", .invalidHost),
    ("fe80::1:80", .invalidHost),
    ("[]:80", .invalidHost),
    ("[::1:80", .invalidHost),
    ("[::1]x:80", .invalidHost),
    ("my host:80", .invalidHost),
    ("unix/sock:80", .invalidHost),
    ("host]:80", .invalidHost),
  ])
  func refusesMalformedAddresses(text: String, code: HostPortError.Code) {
    let error = #expect(throws: HostPortError.self, "\(text)") { try HostPort(parsing: text) }
    #expect(error?.code == code, "\(text): \(String(describing: error))")
    #expect(error?.address == text)
  }

  @Test func errorNamesTheAddressAndTheProblem() {
    let error = #expect(throws: HostPortError.self) { try HostPort(parsing: "::1:5001") }
    #expect(error?.description == "expected host:port, got '::1:5001' (invalid host: an IPv6 address goes in brackets, as in [::1]:5001)")
  }

  @Test func emptyHostTakesTheCallersDefault() throws {
    #expect(try HostPort(parsing: ":2112").host(or: "0.0.0.0") == "0.0.0.0")
    #expect(try HostPort(parsing: "10.1.1.1:2112").host(or: "0.0.0.0") == "10.1.1.1")
  }
}
