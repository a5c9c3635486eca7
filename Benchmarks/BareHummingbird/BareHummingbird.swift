import Hummingbird
import SynseServerCore

/// The framework's ceiling for `/test`: a bare Hummingbird route returning the same body as
/// synse-server's compact `/test` (same timestamp routine), for benchmark ratios.
@main
struct BareHummingbird {
  static func main() async throws {
    let port = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 5099
    let router = Router()
    router.get("test") { _, _ -> Response in
      let body = #"{"status":"ok","timestamp":"\#(Commands.now())"}"#
      return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    try await app.runService()
  }
}
