import Foundation
import Testing

@testable import SynseServerCore

/// The server's `host:port` call sites all take SynseSupport's `HostPort`: config validation
/// of `plugin.tcp`, the client factory's dial target, and Kubernetes-discovered pod addresses.
struct PluginAddressParsingTests {
  @Test(arguments: [
    ("127.0.0.1:5001", true), ("emulator:5001", true), (":5001", true), ("[::1]:5001", true),
    ("emulator", false), ("emulator:0", false), ("emulator:70000", false), ("::1:5001", false), ("[]:5001", false),
    ("my host:5001", false), ("emulator:+5001", false),
  ])
  func tcpPluginAddresses(address: String, valid: Bool) {
    let problem = ConfigurationRule<[String]>.tcpAddresses.problem([address])
    #expect((problem == nil) == valid, "\(problem ?? "accepted")")
    if let problem { #expect(problem.hasPrefix("host:port addresses; entry '\(address)' is not host:port with a port from 1 to 65535")) }
  }

  @Test func dialTargetsTakeHostAndPortApart() {
    #expect(GRPCPluginClientFactory.split("[fd00::5]:5001") == ("fd00::5", 5001))
    #expect(GRPCPluginClientFactory.split(":5001") == ("127.0.0.1", 5001))
    #expect(GRPCPluginClientFactory.split("emulator:5001") == ("emulator", 5001))
  }

  /// An IPv6 pod address is written in brackets, so the dial target finds host and port again.
  @Test func discoveredIPv6PodsAreBracketed() throws {
    let json = #"""
      {"items": [{"subsets": [{"addresses": [{"ip": "fd00::5", "targetRef": {"kind": "Pod"}}, {"ip": "10.0.0.1", "targetRef": {"kind": "Pod"}}],
                               "ports": [{"name": "http", "port": 5001}]}]}]}
      """#
    let found = try KubernetesDiscovery.parse(Data(json.utf8))
    #expect(found == [.tcp("[fd00::5]:5001"), .tcp("10.0.0.1:5001")])
    #expect(ConfigurationRule<[String]>.tcpAddresses.problem(found.map(\.address)) == nil)
  }
}
