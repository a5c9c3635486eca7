import Hummingbird
import SynseServerCore

/// Renders ``JSONValue``s as responses, honouring `pretty_json`.
struct JSONRenderer: Sendable {
  let pretty: Bool

  func response(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    let buffer: ByteBuffer
    if case .fragment(let rendered) = value {
      buffer = rendered.body(pretty: pretty)  // shared, not copied
    } else {
      buffer = ByteBuffer(bytes: value.serializedBytes(pretty: pretty))
    }
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
  }

  func error(_ error: SynseError) -> Response {
    var response = response(error.body, status: .init(code: error.httpStatus))
    if let challenge = error.challenge { response.headers[.wwwAuthenticate] = challenge }
    if let seconds = error.retryAfter { response.headers[.retryAfter] = "\(seconds)" }
    return response
  }
}
