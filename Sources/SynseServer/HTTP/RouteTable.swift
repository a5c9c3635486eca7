import Hummingbird
import Synchronization

/// Which methods each route path accepts, so that a known path with the wrong method gets
/// 405 with `Allow` (docs/api-v3.md §1.2) rather than the router's 404. Filled from the router's
/// own route list once every route is added, so it cannot drift from the routes.
final class RouteTable: Sendable {
  private let routes = Mutex<[(segments: [Substring], methods: [HTTPRequest.Method])]>([])

  /// Records every route of `router` (`{name}` segments match anything).
  func fill<Context>(from router: Router<Context>) {
    routes.withLock { routes in
      for route in router.routes {
        let segments = route.path.description.split(separator: "/")
        if let index = routes.firstIndex(where: { $0.segments == segments }) {
          routes[index].methods.append(route.method)
        } else {
          routes.append((segments, [route.method]))
        }
      }
    }
  }

  /// The methods allowed on `path`, empty if no route has this path.
  func methods(for path: String) -> [HTTPRequest.Method] {
    let requested = path.split(separator: "/")
    return routes.withLock { routes in
      routes.filter { route in
        route.segments.count == requested.count
          && zip(route.segments, requested).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
      }.flatMap(\.methods)
    }
  }
}
