import Testing

@testable import SynseServerCore

/// `cache.transaction.ttl` (docs/api-v3.md §8.8): transactions are forgotten once it passed,
/// also by a server that only takes writes and never lists them.
struct TransactionCacheTests {
  @Test func addingForgetsTransactionsPastTheTTL() async throws {
    let cache = TransactionCache(ttl: .milliseconds(200))
    for index in 0..<100 { cache.add("old-\(index)", pluginID: "p", device: "d") }
    #expect(cache.count == 100)
    try await Task.sleep(for: .milliseconds(300))
    cache.add("new", pluginID: "p", device: "d")
    #expect(cache.count == 1)
    #expect(cache.entry("old-0") == nil)
    #expect(cache.entry("new")?.device == "d")
  }

  /// A transaction ID written again lives its TTL from the second write, not the first.
  @Test func anIDAddedAgainLivesFromItsLastAdd() async throws {
    let cache = TransactionCache(ttl: .seconds(1))
    cache.add("x", pluginID: "p", device: "first")
    try await Task.sleep(for: .milliseconds(700))
    cache.add("x", pluginID: "p", device: "second")
    try await Task.sleep(for: .milliseconds(500))
    #expect(cache.entry("x")?.device == "second")
    try await Task.sleep(for: .milliseconds(600))
    #expect(cache.entry("x") == nil)
  }
}
