import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import SynseServer

/// What a request NIO's parser refused is answered with: a whole HTTP/1.1 response whose body
/// is a Synse JSON error of its length.
struct ParserErrorResponseTests {
  @Test(arguments: [
    (HTTPParserError.headerOverflow, 431, "Request Header Fields Too Large"), (.invalidHeaderToken, 400, "Bad Request"),
    (.invalidMethod, 400, "Bad Request"), (.invalidContentLength, 400, "Bad Request"),
  ])
  func aRefusedRequestGetsASynseError(error: HTTPParserError, status: Int, reason: String) throws {
    let text = String(buffer: ParserErrorResponder.response(to: error))
    let parts = text.components(separatedBy: "\r\n\r\n")
    try #require(parts.count == 2)
    let head = parts[0].components(separatedBy: "\r\n")
    #expect(head.first == "HTTP/1.1 \(status) \(reason)")
    #expect(head.contains("Connection: close"))
    #expect(head.contains("Content-Type: application/json"))
    #expect(head.contains("Content-Length: \(parts[1].utf8.count)"))
    let body = try #require(try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as? [String: Any])
    #expect(body["http_code"] as? Int == status)
    #expect(body["description"] as? String == reason)
    #expect((body["context"] as? String)?.hasSuffix("the connection is closed") == true)
    #expect((body["timestamp"] as? String)?.isEmpty == false)
    if status == 431 {
      // NIO's limits, read from its decoder configuration rather than restated.
      #expect((body["context"] as? String)?.contains("80 KiB for one field, 80 KiB for all of them together") == true)
    }
  }
}
