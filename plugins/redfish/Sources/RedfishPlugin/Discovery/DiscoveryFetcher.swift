import Foundation
import Logging
import Synchronization
import SynseSupport

/// The requests of one walk: GET and decode, collections with paging and `$expand`, counting
/// every request and keeping each failed resource as a problem instead of failing the walk.
final class DiscoveryFetcher: Sendable {
  /// Member resources fetched at once when a collection comes back as links: a BMC answers a
  /// request in 1–6 s, so one at a time would make a poll of 40 sensors take minutes, while
  /// small BMCs refuse many parallel connections.
  static let parallelMembers = 4
  /// Pages followed per collection before the walk assumes a `nextLink` loop.
  static let maxPages = 1000

  let transport: any RedfishTransport
  let logger: Logger
  let memory: RedfishWalkMemory?
  private let state: Mutex<State>

  private struct State {
    var requests = 0
    var problems: [String] = []
    /// Collections of which a page or a member failed in this walk.
    var incomplete: Set<String> = []
    /// The `$expand` query, nil once the service refused it (or never offered it).
    var expandQuery: String?
  }

  init(transport: any RedfishTransport, logger: Logger, memory: RedfishWalkMemory? = nil) {
    self.transport = transport
    self.logger = logger
    self.memory = memory
    state = Mutex(State())
  }

  var requestCount: Int { state.withLock { $0.requests } }
  var problems: [String] { state.withLock { $0.problems } }
  /// Whether a page or a member of the collection at `path` failed in this walk.
  func isIncomplete(_ path: String) -> Bool { state.withLock { $0.incomplete.contains(path) } }
  func setExpandQuery(_ query: String?) { state.withLock { $0.expandQuery = query } }

  /// Stops asking with `$expand` in this walk and, through ``memory``, in later ones.
  private func refuseExpand() {
    setExpandQuery(nil)
    memory?.refuseExpand()
  }

  /// Records that `path` was skipped, and why.
  func problem(_ path: String, _ reason: String) {
    // Debug only: a walk repeats every poll, and its caller logs `problems` once when they change.
    logger.debug("redfish resource skipped", metadata: ["endpoint": "\(transport.endpoint)", "path": "\(path)", "reason": "\(reason)"])
    state.withLock { $0.problems.append("\(path): \(reason)") }
  }

  /// The mapped thresholds, or nil with a problem naming `key` when they are refused; a single
  /// threshold `map` leaves out is a problem too.
  func thresholds(
    of key: String, _ map: (_ ignored: (String) -> Void) throws(ThresholdMapping.Refused) -> Thresholds?
  ) -> Thresholds? {
    do { return try map { problem(key, $0) } } catch {
      problem(key, "thresholds dropped: \(error.reason)")
      return nil
    }
  }

  /// One counted GET; transport errors are thrown to the caller.
  func get(_ path: String) async throws(RedfishError) -> RedfishResponse {
    state.withLock { $0.requests += 1 }
    return try await transport.get(path)
  }

  /// GET `path` and decode it as `T`; nil (and a problem naming `path`) when it fails.
  func fetch<T: Decodable>(_ path: String, as type: T.Type) async -> T? {
    let body: Data
    do {
      body = try await get(path).body
    } catch {
      problem(path, error.message.isEmpty ? error.kind.rawValue : error.message)
      return nil
    }
    do {
      return try decode(body, as: type)
    } catch {
      problem(path, DecodeProblem.describe(error, body: body))
      return nil
    }
  }

  func decode<T: Decodable>(_ body: Data, as type: T.Type) throws -> T {
    try JSONDecoder().decode(type, from: body)
  }

  /// Every member of the collection at `path` (all pages, `Members@odata.nextLink`), in service
  /// order, each decoded as `M` with its path (its link, or an expanded member's `@odata.id`);
  /// members that fail become problems. Asks with `$expand` while the service honours it;
  /// members that come back as links anyway are fetched ``parallelMembers`` at a time.
  func collection<M: Decodable & Sendable>(_ path: String, of type: M.Type) async -> [(id: String, resource: M)] {
    var slots: [Slot<M>] = []
    var page: String? = path
    var seen: Set<String> = []
    var failed = false
    while let current = page {
      guard !seen.contains(current), seen.count < Self.maxPages else {
        problem(current, "Members@odata.nextLink repeats or exceeds \(Self.maxPages) pages; rest of \(path) skipped")
        failed = true
        break
      }
      seen.insert(current)
      let answer: RedfishCollection<M>? = await collectionPage(current, first: current == path)
      guard let body = answer else {
        failed = true
        break
      }
      for member in body.Members ?? [] {
        switch member {
        case .resource(let id, let resource): slots.append(.done(id ?? "\(current)#/Members/\(slots.count)", resource))
        case .link(let id): slots.append(.pending(id))
        case .bad(let id, let reason):
          problem(id, reason)
          failed = true
        }
      }
      page = body.nextLink
    }
    let pending = slots.compactMap { if case .pending(let id) = $0 { id } else { nil } }
    var fetched = await fetchAll(pending, as: type).makeIterator()
    let members = slots.compactMap { slot -> (id: String, resource: M)? in
      switch slot {
      case .done(let id, let resource): (id, resource)
      case .pending(let id): (fetched.next() ?? nil).map { (id, $0) }
      }
    }
    if failed || members.count < slots.count { state.withLock { _ = $0.incomplete.insert(path) } }
    return members
  }

  private enum Slot<M> {
    case done(String, M)
    case pending(String)
  }

  /// One page. The first page is asked with `$expand` when enabled; when that fails it is asked
  /// plainly. Only when the plain answer then comes, and the expanded one was refused (a 4xx or
  /// 501 status, or a body that did not decode: sushy-static answers 404), is the service taken
  /// not to support `$expand`, for the rest of this walk and later ones sharing ``memory``; a
  /// missing collection or a busy BMC (503, timeout) says nothing about `$expand`.
  private func collectionPage<M: Decodable & Sendable>(_ path: String, first: Bool) async -> RedfishCollection<M>? {
    guard first, let query = state.withLock({ $0.expandQuery }) else { return await fetch(path, as: RedfishCollection<M>.self) }
    let refusal: Bool
    do {
      return try decode(try await get(path + query).body, as: RedfishCollection<M>.self)
    } catch let error as RedfishError {
      let status = error.httpStatus ?? 0
      refusal = error.kind == .malformed || (error.kind == .status && ((400..<500).contains(status) || status == 501))
    } catch {
      refusal = true
    }
    let plain: RedfishCollection<M>? = await fetch(path, as: RedfishCollection<M>.self)
    if plain != nil, refusal {
      logger.debug("redfish $expand refused; walking plainly", metadata: ["path": "\(path)"])
      refuseExpand()
    }
    return plain
  }

  /// Fetches `paths` at most ``parallelMembers`` at a time; results in `paths` order.
  func fetchAll<T: Decodable & Sendable>(_ paths: [String], as type: T.Type) async -> [T?] {
    var results = [T?](repeating: nil, count: paths.count)
    await withTaskGroup(of: (Int, T?).self) { group in
      var next = 0
      func start() {
        guard next < paths.count else { return }
        let index = next
        next += 1
        group.addTask { (index, await self.fetch(paths[index], as: type)) }
      }
      for _ in 0..<Self.parallelMembers { start() }
      while let (index, value) = await group.next() {
        results[index] = value
        start()
      }
    }
    return results
  }
}
