import Hummingbird
import SynseServerCore

/// `/test` and `/version`.
struct CoreRoutes<Context: RequestContext> {
  let commands: Commands
  let renderer: JSONRenderer

  /// Every route added by ``add(to:)``, for ``RouteTable``.
  static var routes: [(String, HTTPRequest.Method)] { [("/test", .get), ("/version", .get)] }

  func add(to router: Router<Context>) {
    router.get("test") { _, _ in renderer.response(commands.test()) }
    router.get("version") { _, _ in renderer.response(commands.version()) }
  }
}
