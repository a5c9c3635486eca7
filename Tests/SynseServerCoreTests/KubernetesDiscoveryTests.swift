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

  /// A Service with no working pod (no subsets, an empty subset, or only not-ready addresses)
  /// beside one with a ready pod: the ready one is found, the others are named as idle.
  @Test func endpointsWithoutReadyAddressesDoNotHideTheOthers() throws {
    let json = #"""
      {"kind": "EndpointsList", "items": [
        {"metadata": {"name": "broken"}, "subsets": []},
        {"metadata": {"name": "empty-subset"}, "subsets": [{}]},
        {"metadata": {"name": "crashing"}, "subsets": [{"notReadyAddresses": [{"ip": "10.0.9.9", "targetRef": {"kind": "Pod"}}],
                                                        "ports": [{"name": "http", "port": 5001}]}]},
        {"metadata": {"name": "emulator"}, "subsets": [{"addresses": [{"ip": "10.0.0.1", "targetRef": {"kind": "Pod"}}],
                                                        "ports": [{"name": "http", "port": 5001}]}]}
      ]}
      """#
    let found = try KubernetesDiscovery.discover(Data(json.utf8))
    #expect(found.endpoints == [.tcp("10.0.0.1:5001")])
    #expect(found.idle == ["broken", "empty-subset", "crashing"])
  }
}
