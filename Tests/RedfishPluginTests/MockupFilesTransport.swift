import Foundation
import RedfishPlugin
import Synchronization

/// Test double: `MockupFilesTransport` is a ``RedfishTransport`` that serves a DMTF mockup tree
/// from disk exactly as `sushy-static` 2.2.0 does (sushy_tools/static/main.py): a GET of
/// `/redfish/v1/<path>` answers `<dir>/<path>/index.json` (trailing `/` stripped); any other
/// path, or a file that is not there, is a 404. A query is part of the path there, so
/// `?$expand=…` is a 404 too (``Query/sushyStatic``), unless the double is told to answer
/// `$expand` on a collection with each member's file in place of its link (``Query/expand``,
/// members without a file stay links), to measure the request saving, or to ignore queries
/// as some BMCs do (``Query/ignore``). PATCH and POST answer 204 without changing anything,
/// like sushy-static. Every call is counted and logged in ``requests``.
final class MockupFilesTransport: RedfishTransport {
  let endpoint: String
  let root: URL
  let query: Query
  private let log = Mutex<[String]>([])

  /// What a `?…` query does.
  enum Query {
    /// Part of the path, so a 404 (sushy-static).
    case sushyStatic
    /// `$expand` answered with the members in place.
    case expand
    /// Dropped: the plain resource is answered.
    case ignore
  }

  init(root: URL, query: Query = .sushyStatic, endpoint: String = "http://mockup.invalid") {
    self.root = root
    self.query = query
    self.endpoint = endpoint
  }

  /// Every path asked, in order.
  var requests: [String] { log.withLock { $0 } }
  var requestCount: Int { requests.count }

  func get(_ path: String) async throws(RedfishError) -> RedfishResponse {
    log.withLock { $0.append(path) }
    var resource = path
    var expand = false
    if query != .sushyStatic, let mark = path.firstIndex(of: "?") {
      resource = String(path[..<mark])
      expand = query == .expand && path[mark...].hasPrefix("?$expand=")
    }
    let body = try file(resource, asked: path)
    guard expand else { return RedfishResponse(status: 200, body: body) }
    return RedfishResponse(status: 200, body: try expanded(body, asked: path))
  }

  func patch(_ path: String, body: Data, ifMatch: String?) async throws(RedfishError) -> RedfishResponse {
    log.withLock { $0.append("PATCH " + path) }
    return RedfishResponse(status: 204, body: Data())
  }

  func post(_ path: String, body: Data) async throws(RedfishError) -> RedfishResponse {
    log.withLock { $0.append("POST " + path) }
    return RedfishResponse(status: 204, body: Data())
  }

  /// sushy-static's lookup: strip trailing `/`, require the `/redfish/v1` prefix, read index.json.
  private func file(_ path: String, asked: String) throws(RedfishError) -> Data {
    var trimmed = Substring(path)
    while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    let prefix = "/redfish/v1"
    guard trimmed.hasPrefix(prefix) else { throw notFound(asked) }
    let relative = trimmed.replacingOccurrences(of: prefix, with: "").drop { $0 == "/" }
    let url = relative.isEmpty ? root : root.appendingPathComponent(String(relative))
    guard let data = try? Data(contentsOf: url.appendingPathComponent("index.json")) else { throw notFound(asked) }
    return data
  }

  private func expanded(_ body: Data, asked: String) throws(RedfishError) -> Data {
    guard var collection = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
      let members = collection["Members"] as? [[String: Any]]
    else { return body }
    collection["Members"] = members.map { member -> Any in
      guard let id = member["@odata.id"] as? String, let data = try? file(id, asked: asked),
        let object = try? JSONSerialization.jsonObject(with: data)
      else { return member }
      return object
    }
    guard let data = try? JSONSerialization.data(withJSONObject: collection) else { return body }
    return data
  }

  private func notFound(_ path: String) -> RedfishError {
    RedfishError(.status, endpoint: endpoint, path: path, httpStatus: 404, message: "404 Not Found")
  }
}
