import Hummingbird
import SynseServerCore

/// `/test` and `/version`.
struct CoreRoutes<Context: RequestContext> {
  let commands: Commands
  let renderer: JSONRenderer

  func add(to router: Router<Context>) {
    router.get("test") { _, _ in renderer.response(commands.test()) }
    router.get("version") { _, _ in renderer.response(commands.version()) }
  }
}
