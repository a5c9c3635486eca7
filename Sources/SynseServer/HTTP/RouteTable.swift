import Hummingbird

/// Which methods each route path accepts, so that a known path with the wrong method gets
/// 405 with `Allow` (api-v3.md §1.2) rather than the router's 404.
struct RouteTable: Sendable {
  private var routes: [(segments: [Substring], methods: [HTTPRequest.Method])] = []

  mutating func add(_ path: String, _ method: HTTPRequest.Method) {
    let segments = path.split(separator: "/")
    if let index = routes.firstIndex(where: { $0.segments == segments }) {
      routes[index].methods.append(method)
    } else {
      routes.append((segments, [method]))
    }
  }

  /// The methods allowed on `path` (`:name` segments match anything), empty if unknown.
  func methods(for path: String) -> [HTTPRequest.Method] {
    let requested = path.split(separator: "/")
    return routes.filter { route in
      route.segments.count == requested.count
        && zip(route.segments, requested).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
    }.flatMap(\.methods)
  }
}
