import Foundation
import Testing

@testable import SynseServerCore

@Suite struct KubernetesDiscoveryTests {
  @Test func podAddressesOnTheOnlyPortOrTheOneNamedHTTP() throws {
    let json = #"""
      {"items": [
        {"subsets": [{"addresses": [{"ip": "10.0.0.1", "targetRef": {"kind": "Pod"}}, {"ip": "10.0.0.2", "targetRef": {"kind": "pod"}}],
                      "ports": [{"name": "grpc", "port": 5001}]}]},
        {"subsets": [{"addresses": [{"ip": "10.0.1.1", "targetRef": {"kind": "Pod"}}, {"ip": "10.0.1.2"}],
                      "ports": [{"name": "metrics", "port": 2112}, {"name": "http", "port": 5002}]}]},
        {"subsets": [{"addresses": [{"ip": "10.0.2.1", "targetRef": {"kind": "Pod"}}],
                      "ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}]},
        {"metadata": {"name": "no subsets yet"}}
      ]}
      """#
    let found = try KubernetesDiscovery.parse(Data(json.utf8))
    #expect(found == [.tcp("10.0.0.1:5001"), .tcp("10.0.0.2:5001"), .tcp("10.0.1.1:5002")])
  }
}
