import Testing

@testable import SynseSDK

/// `network.address` of a TCP plugin is parsed by SynseSupport's `HostPort`.
struct PluginAddressTests {
  @Test(arguments: [
    ("127.0.0.1:5001", PluginAddress.tcp(host: "127.0.0.1", port: 5001)), (":5001", .tcp(host: "0.0.0.0", port: 5001)),
    ("localhost:0", .tcp(host: "127.0.0.1", port: 0)), ("[::1]:5001", .tcp(host: "::1", port: 5001)),
  ])
  func tcpAddresses(address: String, expected: PluginAddress) throws {
    #expect(try PluginAddress(.init(type: .tcp, address: address)) == expected)
  }

  @Test(arguments: ["localhost", "localhost:http", "::1:5001", "host:65536"])
  func malformedTCPAddressIsAConfigError(address: String) {
    let error = #expect(throws: ConfigError.self) { try PluginAddress(.init(type: .tcp, address: address)) }
    #expect(error?.key == "network.address")
    #expect(error?.message.hasPrefix("expected host:port, got '\(address)' (") == true, "\(String(describing: error))")
  }
}
