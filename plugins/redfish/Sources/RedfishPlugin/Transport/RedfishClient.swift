public import Foundation
public import Logging
import AsyncHTTPClient
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import SynseSDK
import SynseSupport
import Synchronization

/// The ``RedfishTransport`` of one BMC over AsyncHTTPClient: its own HTTP client (connection
/// pool and TLS settings of ``RedfishEndpointSettings``), redirects followed, each request
/// bounded by the endpoint's `timeout` from connect to the last body byte, bodies capped at
/// ``maximumBody``.
///
/// Authentication (DSP0266 §13.3): none without a username; otherwise a Redfish session
/// (`POST` of `UserName`/`Password` to the service root's `Links.Sessions`, token from
/// `X-Auth-Token`) when the service offers one, else HTTP Basic on every request. A 401 on a
/// session logs in again once and retries once; ``shutdown()`` deletes the session.
/// Every request sends `Accept: application/json` and `OData-Version: 4.0` (DSP0266 §8.1).
public final class RedfishClient: RedfishTransport {
  /// The largest body accepted; a bigger one is `.malformed` (no Redfish resource is near it).
  public static let maximumBody = 16 << 20

  public let endpoint: String
  let timeout: Duration
  let logger: Logger
  let http: HTTPClient
  let session: RedfishSession
  private let password: RedfishSecret?
  private let requests = Atomic<Int>(0)
  private let closed = Atomic<Bool>(false)

  /// - Throws: never at present (settings are validated when parsed); `.config` is kept for
  ///   TLS settings the HTTP client would refuse.
  public init(settings: RedfishEndpointSettings, logger: Logger) throws(RedfishError) {
    endpoint = settings.endpoint
    timeout = settings.timeout
    self.logger = logger
    password = settings.password
    var tls = TLSConfiguration.makeClientConfiguration()
    switch settings.trust {
    case .system: break
    case .caFile(_, let certificates): tls.trustRoots = .certificates(certificates)
    case .insecureSkipVerify: tls.certificateVerification = .none
    }
    let amount = TimeAmount.nanoseconds(Self.nanoseconds(settings.timeout))
    var configuration = HTTPClient.Configuration(
      // Redirects are followed by ``exchange`` itself: AsyncHTTPClient strips `Authorization`
      // on a cross-origin redirect, but would send a session's `X-Auth-Token` along.
      tlsConfiguration: tls, redirectConfiguration: .disallow,
      timeout: .init(connect: amount, read: amount))
    // A refused connection fails the request at once (the poller's backoff is the one retry
    // schedule), instead of AsyncHTTPClient reconnecting silently until the deadline.
    configuration.connectionPool.retryConnectionEstablishment = false
    http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    session = RedfishSession(username: settings.username, password: settings.password)
  }

  /// A client dropped without ``shutdown()`` (a failed startup, a test that stopped early) still
  /// releases its connections; AsyncHTTPClient would trap in debug builds otherwise.
  deinit {
    if !closed.load(ordering: .relaxed) { _ = http.shutdown() }
  }

  /// HTTP requests made so far, logins, retries and logouts included.
  public var requestCount: Int { requests.load(ordering: .relaxed) }

  public func get(_ path: String) async throws(RedfishError) -> RedfishResponse {
    try await send(.GET, path, body: nil, ifMatch: nil)
  }

  public func patch(_ path: String, body: Data, ifMatch: String?) async throws(RedfishError) -> RedfishResponse {
    try await send(.PATCH, path, body: body, ifMatch: ifMatch)
  }

  public func post(_ path: String, body: Data) async throws(RedfishError) -> RedfishResponse {
    try await send(.POST, path, body: body, ifMatch: nil)
  }

  /// Deletes the Redfish session, if one is open (failures only logged: the BMC expires it
  /// anyway), then shuts the HTTP client down. Later requests fail `.unreachable`.
  public func shutdown() async {
    guard !closed.exchange(true, ordering: .relaxed) else { return }
    if let open = await session.close() {
      do {
        let answer = try await exchange(.DELETE, open.path, body: nil, headers: [open.header])
        if !(200..<300).contains(answer.status) {
          logger.info("Redfish session logout answered HTTP \(answer.status)", metadata: ["endpoint": "\(endpoint)"])
        }
      } catch {
        logger.info("Redfish session logout failed: \(error)", metadata: ["endpoint": "\(endpoint)"])
      }
    }
    try? await http.shutdown()
  }

  /// One authenticated request: a 401 with a session token logs in again and retries once.
  private func send(_ method: HTTPMethod, _ path: String, body: Data?, ifMatch: String?) async throws(RedfishError) -> RedfishResponse {
    guard !closed.load(ordering: .relaxed) else { throw failure(.unreachable, path, message: "the client is shut down") }
    var extra: [(String, String)] = []
    if let ifMatch { extra.append(("If-Match", ifMatch)) }
    var auth = try await session.authorization(using: self)
    var answer = try await exchange(method, path, body: body, headers: auth.headers + extra)
    if answer.status == 401, auth.renewable {
      logger.info("Redfish session rejected (HTTP 401); logging in again", metadata: ["endpoint": "\(endpoint)", "path": "\(path)"])
      auth = try await session.renew(after: auth, using: self)
      answer = try await exchange(method, path, body: body, headers: auth.headers + extra)
    }
    return try checked(answer, path)
  }

  /// A 2xx answer as a ``RedfishResponse``, any other as the error naming its status.
  func checked(_ answer: Answer, _ path: String) throws(RedfishError) -> RedfishResponse {
    switch answer.status {
    case 200..<300:
      return RedfishResponse(
        status: answer.status, body: answer.body, etag: answer.headers.first(name: "ETag"),
        location: answer.headers.first(name: "Location"))
    case 401, 403:
      throw failure(.unauthorized, path, status: answer.status, message: answer.summary + " (check username and password)")
    default:
      throw failure(.status, path, status: answer.status, message: answer.summary)
    }
  }

  /// What came back, whatever its status.
  struct Answer: Sendable {
    var status: Int
    var reason: String
    var headers: HTTPHeaders
    var body: Data

    /// `HTTP 404 Not Found`, then the Redfish error's own message (DSP0266 §9.6) if any, or
    /// the start of a body that is not JSON (a BMC's or a proxy's plain-text or HTML page).
    var summary: String {
      let head = "HTTP \(status) \(reason)"
      if let detail = RedfishErrorBody.message(in: body) { return "\(head): \(detail.prefix(200))" }
      if let start = DecodeProblem.notJSON(body, limit: 160), !start.isEmpty { return "\(head): \"\(start)\"" }
      return head
    }
  }

  static let maximumRedirects = 5

  /// One HTTP exchange and the redirects it leads to (at most ``maximumRedirects``, no cycles):
  /// each request counted, with its own deadline. A 303, or a 301/302 answering a POST, is
  /// followed with a GET (RFC 9110 §15.4); credentials are sent on only within the endpoint's
  /// origin (scheme, host, port).
  func exchange(_ method: HTTPMethod, _ path: String, body: Data?, headers: [(String, String)]) async throws(RedfishError) -> Answer {
    var (method, body, headers) = (method, body, headers)
    var url = endpoint + (path.hasPrefix("/") ? path : "/" + path)
    // A link given as a whole URL (`@odata.id` should be a path; some services send URLs).
    if path.contains("://") {
      guard let absolute = URL(string: path), Self.sameOrigin(absolute, endpoint) else {
        throw failure(.malformed, path, message: "a link to another host or port, not followed")
      }
      url = path
    }
    var visited: Set<String> = [url]
    for _ in 0...Self.maximumRedirects {
      let answer = try await exchangeOnce(method, url, path, body: body, headers: headers)
      guard [301, 302, 303, 307, 308].contains(answer.status), let location = answer.headers.first(name: "Location"),
        let next = URL(string: location, relativeTo: URL(string: url))?.absoluteURL, next.scheme == "http" || next.scheme == "https",
        // A BMC's bad Location must not end the plugin.
        next.hasDialablePort
      else { return answer }
      if !Self.sameOrigin(next, endpoint) {
        headers.removeAll { ["x-auth-token", "authorization"].contains($0.0.lowercased()) }
      }
      if answer.status == 303 || (answer.status <= 302 && method == .POST) {
        (method, body) = (.GET, nil)
      }
      guard visited.insert(next.absoluteString).inserted else {
        throw failure(.status, path, status: answer.status, message: "redirect loop at \(next.absoluteString)")
      }
      url = next.absoluteString
    }
    throw failure(.status, path, message: "more than \(Self.maximumRedirects) redirects")
  }

  static func sameOrigin(_ url: URL, _ endpoint: String) -> Bool {
    guard let base = URL(string: endpoint) else { return false }
    func origin(_ url: URL) -> (String, String, Int) {
      let scheme = url.scheme?.lowercased() ?? ""
      return (scheme, url.host?.lowercased() ?? "", url.port ?? (scheme == "https" ? 443 : 80))
    }
    return origin(url) == origin(base)
  }

  /// One HTTP request to `url`, counted; the deadline covers connect, answer and the whole body.
  private func exchangeOnce(
    _ method: HTTPMethod, _ url: String, _ path: String, body: Data?, headers: [(String, String)]
  ) async throws(RedfishError) -> Answer {
    requests.add(1, ordering: .relaxed)
    var request = HTTPClientRequest(url: url)
    request.method = method
    request.headers.add(name: "Accept", value: "application/json")
    request.headers.add(name: "OData-Version", value: "4.0")
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(data: body))
    }
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    let (http, timeout, prepared) = (http, timeout, request)
    let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(timeout))
    do {
      // AsyncHTTPClient's deadline stops at the response head; the race bounds the body too.
      return try await withThrowingTaskGroup(of: Answer.self) { group in
        group.addTask {
          let response = try await http.execute(prepared, deadline: deadline)
          let buffer = try await response.body.collect(upTo: Self.maximumBody)
          return Answer(
            status: Int(response.status.code), reason: response.status.reasonPhrase, headers: response.headers,
            body: Data(buffer: buffer))
        }
        group.addTask {
          try await Task.sleep(for: timeout + .milliseconds(50))
          throw HTTPClientError.deadlineExceeded
        }
        defer { group.cancelAll() }
        return try await group.next()!
      }
    } catch {
      throw mapped(error, path)
    }
  }

  /// Transport failures as the ``RedfishError`` kinds health and logs show.
  private func mapped(_ error: any Error, _ path: String) -> RedfishError {
    if let error = error as? HTTPClientError {
      if [.deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout].contains(error) {
        return failure(.timeout, path, message: "no answer within \(GoDuration.format(timeout)) (the endpoint's timeout)")
      }
      if error == .alreadyShutdown { return failure(.unreachable, path, message: "the client is shut down") }
      return failure(.unreachable, path, message: "HTTP failure: \(error)")
    }
    if error is NIOTooManyBytesError {
      return failure(.malformed, path, message: "body larger than \(Self.maximumBody >> 20) MiB")
    }
    if let error = error as? NIOSSLError, error == .uncleanShutdown {
      // AsyncHTTPClient refuses a body that ends only when the connection closes if TLS closed
      // without close_notify: truncation could not be told from the end (sushy-static on https).
      return failure(.malformed, path, message: "the body had no length and TLS closed uncleanly (possibly truncated)")
    }
    if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
      let text = "\(error)"
      // BoringSSL's text names its source files; the cause is what an operator needs.
      if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") {
        return failure(.unreachable, path, message: "TLS handshake failed: the endpoint does not answer TLS (is it http:// rather than https://?)")
      }
      if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate") {
        return failure(.unreachable, path, message: "TLS handshake failed: the BMC's certificate is not trusted; a self-signed BMC needs caFile or insecureSkipVerify")
      }
      return failure(.unreachable, path, message: "TLS handshake failed (\(error)); a self-signed BMC needs caFile or insecureSkipVerify")
    }
    return failure(.unreachable, path, message: Self.connectFailure("\(error)"))
  }

  /// NIO's text for a failed connect reads "connection reset (error set): Connection refused
  /// (errno: 111)"; the common causes are said plainly, the raw text kept for the rest.
  static func connectFailure(_ text: String) -> String {
    if text.contains("Connection refused") {
      return "Connection refused: nothing listens on that host and port (or a firewall rejects the connection)"
    }
    if text.contains("dnsAError") || text.contains("dnsAAAAError") || text.contains("Name or service not known") {
      return "cannot resolve the host name (DNS): \(text)"
    }
    if text.contains("No route to host") || text.contains("Network is unreachable") {
      return "no route to the host (down, or its network unreachable from here): \(text)"
    }
    return "cannot connect: \(text)"
  }

  /// Every error is built here, so no message (a BMC's error text included) can carry the password.
  func failure(_ kind: RedfishError.Kind, _ path: String, status: Int? = nil, message: String) -> RedfishError {
    var text = message
    if let secret = password?.value, !secret.isEmpty {
      text = text.replacingOccurrences(of: secret, with: "<redacted>")
    }
    return RedfishError(kind, endpoint: endpoint, path: path, httpStatus: status, message: text)
  }

  private static func nanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
  }
}
