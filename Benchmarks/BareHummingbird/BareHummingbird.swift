import Hummingbird
import SynseSupport

/// The framework's ceiling for `/test`: a bare Hummingbird route returning the same body as
/// synse-server's compact `/test` (same timestamp routine), for benchmark ratios; and
/// `/bytes/N`, N bytes of a prebuilt JSON body, the ceiling for a response of `/v3/read`'s size.
@main
struct BareHummingbird {
  static func main() async throws {
    let port = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 5099
    let router = Router()
    router.get("test") { _, _ -> Response in
      let body = #"{"status":"ok","timestamp":"\#(Timestamp.now())"}"#
      return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
    router.get("bytes/:count") { _, context -> Response in
      let count = min(context.parameters.get("count", as: Int.self) ?? 0, 1 << 20)
      let body = ByteBuffer(bytes: [UInt8(ascii: "\"")] + Array(repeating: UInt8(ascii: "x"), count: max(count - 2, 0)) + [UInt8(ascii: "\"")])
      return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    try await app.runService()
  }
}
