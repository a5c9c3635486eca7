import Foundation
import RedfishPlugin
import SynseSDK
import Testing

/// sushy-static 2.2.0 (the real peer) serving a DMTF mockup from Tests/Fixtures/redfish.
func discoveryStatic(_ mockup: String) throws -> TransportPeer {
  try TransportPeer("sushy-static") { port, _ in
    ["-i", "127.0.0.1", "-p", "\(port)", "-m", MockupTrees.tree(mockup).path]
  }
}

/// The walk through the real ``RedfishClient`` over HTTP against sushy-static finds what the
/// file double finds: the same points (keys, types, values, thresholds, controls), no problems,
/// and as many requests as the client made. The point counts were counted with jq/python over
/// the fixture files (see ``DiscoveryMockupTests``).
func expectSameWalkOverHTTP(_ mockup: String, points: Int) async throws {
  let peer = try TransportPeerTrait.peer()
  let client = try transportClient([("endpoint", .string(peer.endpoint)), ("timeout", .string("10s"))])
  let inventory: RedfishInventory
  do { inventory = try await RedfishDiscovery.walk(client, logger: MockupTrees.logger) } catch {
    await client.shutdown()
    throw error
  }
  let requests = client.requestCount
  await client.shutdown()
  let files = try await MockupTrees.walk(MockupFilesTransport(root: MockupTrees.tree(mockup)))
  #expect(inventory.problems == [])
  #expect(inventory.points.count == points)
  #expect(inventory.points == files.points)
  #expect(inventory.serviceUUID == files.serviceUUID)
  // sushy-static answers `$expand` with 404 like the double, so the walks ask the same paths.
  #expect(inventory.requestCount == requests && requests == files.requestCount)
}

@Suite(.peer { try discoveryStatic("public-rackmount1") })
struct DiscoverySushyStaticRackmountTests {
  @Test func walkOverHTTPMatchesTheFiles() async throws { try await expectSameWalkOverHTTP("public-rackmount1", points: 52) }
}

@Suite(.peer { try discoveryStatic("public-bladed") })
struct DiscoverySushyStaticBladedTests {
  @Test func walkOverHTTPMatchesTheFiles() async throws { try await expectSameWalkOverHTTP("public-bladed", points: 30) }
}

@Suite(.peer { try discoveryStatic("public-pdu") })
struct DiscoverySushyStaticPDUTests {
  @Test func walkOverHTTPMatchesTheFiles() async throws { try await expectSameWalkOverHTTP("public-pdu", points: 139) }
}
