import SynseSupport

/// Every failure the API reports, with its HTTP status and fixed description
/// (docs/api-v3.md §2.2); `context` says what happened. ``body(timestamp:)`` is the one writer of
/// the Synse error JSON, for HTTP responses and WebSocket `response/error` events alike.
public enum SynseError: Error, Sendable, Equatable {
  case invalidUsage(String)
  case notFound(String)
  case unsupportedAction(String)
  case serverError(String)
  case unexpected(String)
  /// 405 `method not allowed`: the router knows the path but not the method (docs/api-v3.md §1.3).
  case methodNotAllowed(String)
  /// 413 `request body too large`: over `http.max_body_size`.
  case payloadTooLarge(String)
  /// Any other status the HTTP framework refused a request with, described by its reason
  /// phrase (e.g. 400 `Bad Request`).
  case refused(status: Int, reason: String, context: String)
  /// A WebSocket request with an unknown `event` (docs/api-v3.md §7.4 shape 4): 400 whose
  /// description names the event; the body has no `context`, as the original's has none.
  case unsupportedEvent(String)
  /// A WebSocket message that is not a usable envelope: not a JSON object, or no `id` or
  /// `event` (docs/api-v3.md §7.4 shapes 2–3): 500 with the original's WebSocket description,
  /// `An unexpected error occurred.` (capitalised, with a period, unlike HTTP's).
  case malformedMessage(String)
  /// 401 `authentication required` (docs/auth.md): no usable credential; `invalidToken` when
  /// one was sent and refused (RFC 6750 §3.1 `invalid_token`).
  case unauthenticated(String, invalidToken: Bool)
  /// 400 `invalid user input`: the credentials are sent in a way no token check can read, such
  /// as several `Authorization` headers (RFC 6750 §3.1 `invalid_request`).
  case malformedCredentials(String)
  /// 403 `insufficient scope` (docs/auth.md): the caller lacks `scope`.
  case forbidden(String, scope: Scope)
  /// 429 `too many requests`: over a device's write rate (`writes.rate_limit`); `retryAfter`
  /// seconds until it would pass (nil: never, more writes at once than the burst).
  case tooManyRequests(String, retryAfter: Int?)

  /// The error a framework-level refusal (unknown path, wrong method, body too large)
  /// becomes, so it carries the same body as every other error.
  ///
  /// - Parameters:
  ///   - status: the HTTP status code the framework chose.
  ///   - reasonPhrase: its reason phrase, the description of statuses Synse has no text for.
  ///   - context: what was refused, e.g. `GET /nope: Not Found`.
  public static func refusal(status: Int, reasonPhrase: String, context: String) -> SynseError {
    switch status {
    case 404: return .notFound(context)
    case 405: return .methodNotAllowed(context)
    case 413: return .payloadTooLarge(context)
    default: return .refused(status: status, reason: reasonPhrase, context: context)
    }
  }

  public var httpStatus: Int {
    switch self {
    case .invalidUsage, .unsupportedEvent, .malformedCredentials: return 400
    case .notFound: return 404
    case .unsupportedAction, .methodNotAllowed: return 405
    case .payloadTooLarge: return 413
    case .unauthenticated: return 401
    case .forbidden: return 403
    case .tooManyRequests: return 429
    case .serverError, .unexpected, .malformedMessage: return 500
    case .refused(let status, _, _): return status
    }
  }

  public var description: String {
    switch self {
    case .invalidUsage, .malformedCredentials: return "invalid user input"
    case .notFound: return "resource not found"
    case .unsupportedAction: return "device action not supported"
    case .serverError: return "error processing the request"
    case .unexpected: return "an unexpected error occurred"
    case .methodNotAllowed: return "method not allowed"
    case .payloadTooLarge: return "request body too large"
    case .refused(_, let reason, _): return reason
    case .unsupportedEvent(let event): return "unsupported event type: \(event)"
    case .malformedMessage: return "An unexpected error occurred."
    case .unauthenticated: return "authentication required"
    case .forbidden: return "insufficient scope"
    case .tooManyRequests: return "too many requests"
    }
  }

  /// What happened; for ``unsupportedEvent(_:)`` the event name (not written in the body).
  public var context: String {
    switch self {
    case .invalidUsage(let text), .notFound(let text), .unsupportedAction(let text), .serverError(let text), .unexpected(let text),
      .methodNotAllowed(let text), .payloadTooLarge(let text), .unsupportedEvent(let text), .malformedMessage(let text),
      .refused(_, _, let text), .unauthenticated(let text, _), .malformedCredentials(let text), .forbidden(let text, _), .tooManyRequests(let text, _):
      return text
    }
  }

  /// The `Retry-After` seconds of a 429 (RFC 9110 §10.2.3), nil for other errors.
  public var retryAfter: Int? {
    if case .tooManyRequests(_, let seconds) = self { return seconds }
    return nil
  }

  /// The `WWW-Authenticate` challenge of a 401, a 403 or a 400 for unreadable credentials (RFC
  /// 6750 §3), nil for other errors.
  public var challenge: String? {
    switch self {
    case .unauthenticated(_, let invalidToken): invalidToken ? #"Bearer realm="synse", error="invalid_token""# : #"Bearer realm="synse""#
    case .forbidden(_, let scope): #"Bearer realm="synse", error="insufficient_scope", scope="\#(scope.rawValue)""#
    case .malformedCredentials: #"Bearer realm="synse", error="invalid_request""#
    default: nil
    }
  }

  /// The Synse JSON error body (docs/api-v3.md §2.1), stamped now.
  public var body: JSONValue { body(timestamp: Timestamp.now()) }

  /// The Synse JSON error body (docs/api-v3.md §2.1):
  /// `{"http_code": int, "description": string, "timestamp": string, "context": string}`, in
  /// that key order; ``unsupportedEvent(_:)`` leaves out `context`.
  public func body(timestamp: String) -> JSONValue {
    var pairs: [(String, JSONValue)] = [
      ("http_code", .int(Int64(httpStatus))), ("description", .string(description)), ("timestamp", .string(timestamp)),
    ]
    if case .unsupportedEvent = self {} else { pairs.append(("context", .string(context))) }
    return .object(pairs)
  }
}
