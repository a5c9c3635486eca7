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

  /// A URL's port as written: `URL.port` is nil past `Int`, which read as "no port" and dialled
  /// the scheme's default.
  @Test(arguments: [
    ("https://h/", nil, true), ("https://h:/", nil, true), ("http://h:8080/x:9?y=:7#:6", "8080", true),
    ("http://[::1]:8443/", "8443", true), ("http://[::1]/", nil, true), ("http://u:p:w@h:80", "80", true),
    ("http://h:0", "0", false), ("http://h:65536/", "65536", false), ("http://h:9223372036854775808", "9223372036854775808", false),
    ("https://h:99999999999999999999999999/", "99999999999999999999999999", false), ("http://h:+80/", "+80", false),
  ] as [(String, String?, Bool)])
  func aURLsWrittenPortIsCheckedWhateverItsSize(url: String, port: String?, dialable: Bool) {
    #expect(HostPort.writtenPort(inURL: url).map(String.init) == port)
    #expect(HostPort.hasDialablePort(url: url) == dialable)
  }
}
