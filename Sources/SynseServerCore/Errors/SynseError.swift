/// Every failure the API reports, with its HTTP status and fixed description
/// (docs/api-v3.md §2.2); `context` says what happened.
public enum SynseError: Error, Sendable, Equatable {
  case invalidUsage(String)
  case notFound(String)
  case unsupportedAction(String)
  case serverError(String)
  case unexpected(String)

  public var httpStatus: Int {
    switch self {
    case .invalidUsage: return 400
    case .notFound: return 404
    case .unsupportedAction: return 405
    case .serverError, .unexpected: return 500
    }
  }

  public var description: String {
    switch self {
    case .invalidUsage: return "invalid user input"
    case .notFound: return "resource not found"
    case .unsupportedAction: return "device action not supported"
    case .serverError: return "error processing the request"
    case .unexpected: return "an unexpected error occurred"
    }
  }

  public var context: String {
    switch self {
    case .invalidUsage(let text), .notFound(let text), .unsupportedAction(let text), .serverError(let text), .unexpected(let text):
      return text
    }
  }

  /// The Synse JSON error body, shared by HTTP and WebSocket.
  public func body(timestamp: String) -> JSONValue {
    .object([
      ("http_code", .int(Int64(httpStatus))), ("description", .string(description)),
      ("timestamp", .string(timestamp)), ("context", .string(context)),
    ])
  }
}
