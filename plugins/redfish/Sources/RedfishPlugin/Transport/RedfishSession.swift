import Foundation
import Logging
import NIOHTTP1

/// The login state of one ``RedfishClient``: none, HTTP Basic, or a Redfish session
/// (DSP0266 §13.3). Logs in on first use; concurrent requests share one login, and one
/// renewal after a 401 however many requests saw it.
actor RedfishSession {
  /// Headers to send; `generation` tells a stale authorization from a renewed one.
  struct Authorization: Sendable {
    var headers: [(String, String)]
    var generation: Int
    /// Only a session token is renewed: a 401 to Basic means the credentials are wrong.
    var renewable: Bool

    static let none = Authorization(headers: [], generation: 0, renewable: false)
  }

  /// A session to delete at shutdown: its URI and the token header.
  struct Open: Sendable {
    var path: String
    var header: (String, String)
  }

  struct Login: Sendable {
    var authorization: Authorization
    var sessionPath: String? = nil
  }

  private enum State {
    case idle
    case pending(Int, Task<Result<Login, RedfishError>, Never>)
    case ready(Login)
    case closed
  }

  private let username: String?
  private let password: RedfishSecret?
  private var state = State.idle
  private var generation = 0

  init(username: String?, password: RedfishSecret?) {
    self.username = username
    self.password = password
  }

  /// The current authorization, logging in first if there is none.
  /// - Throws: the login's ``RedfishError`` (`.unauthorized` for refused credentials, or the
  ///   service root's failure); the next call tries again.
  func authorization(using client: RedfishClient) async throws(RedfishError) -> Authorization {
    guard let username, let password else { return .none }
    switch state {
    case .ready(let login): return login.authorization
    case .closed: throw client.failure(.unreachable, "", message: "the client is shut down")
    case .pending(let started, let task): return try await settle(started, task)
    case .idle:
      generation += 1
      let started = generation
      let task = Task { await Self.login(client, username: username, password: password, generation: started) }
      state = .pending(started, task)
      return try await settle(started, task)
    }
  }

  /// After a 401 to `stale`: a new login, unless another request already made one.
  func renew(after stale: Authorization, using client: RedfishClient) async throws(RedfishError) -> Authorization {
    if case .ready(let login) = state, login.authorization.generation == stale.generation { state = .idle }
    return try await authorization(using: client)
  }

  /// Ends the state for good; the open session, if any, for the client to delete.
  func close() -> Open? {
    defer { state = .closed }
    guard case .ready(let login) = state, let path = login.sessionPath, let header = login.authorization.headers.first else { return nil }
    return Open(path: path, header: header)
  }

  private func settle(_ started: Int, _ task: Task<Result<Login, RedfishError>, Never>) async throws(RedfishError) -> Authorization {
    let result = await task.value
    if case .pending(let current, _) = state, current == started {
      switch result {
      case .success(let login): state = .ready(login)
      case .failure: state = .idle
      }
    }
    return try result.get().authorization
  }

  /// Session login where the service root offers it, else Basic (sushy-emulator, older BMCs).
  private static func login(_ client: RedfishClient, username: String, password: RedfishSecret, generation: Int) async -> Result<Login, RedfishError> {
    let metadata: Logger.Metadata = ["endpoint": "\(client.endpoint)"]
    let credentials = Data("\(username):\(password.value)".utf8).base64EncodedString()
    let basic = Login(authorization: Authorization(headers: [("Authorization", "Basic \(credentials)")], generation: generation, renewable: false))
    do throws(RedfishError) {
      guard let sessions = try await sessionsPath(client) else {
        client.logger.info("Redfish service offers no session login; using HTTP Basic", metadata: metadata)
        return .success(basic)
      }
      let body = (try? JSONEncoder().encode(["UserName": username, "Password": password.value])) ?? Data()
      let answer = try await client.exchange(.POST, sessions, body: body, headers: [])
      switch answer.status {
      case 200..<300:
        guard let token = answer.headers.first(name: "X-Auth-Token"), !token.isEmpty else {
          client.logger.info("Redfish session login gave no X-Auth-Token; using HTTP Basic", metadata: metadata)
          return .success(basic)
        }
        let path = answer.headers.first(name: "Location").flatMap(Self.path(of:)) ?? RedfishReference.id(in: answer.body)
        client.logger.info("Redfish session opened", metadata: metadata)
        return .success(Login(
          authorization: Authorization(headers: [("X-Auth-Token", token)], generation: generation, renewable: true), sessionPath: path))
      case 401, 403:
        return .failure(client.failure(.unauthorized, sessions, status: answer.status, message: "session login refused: \(answer.summary) (check username and password)"))
      default:
        client.logger.info("Redfish session login answered HTTP \(answer.status); using HTTP Basic", metadata: metadata)
        return .success(basic)
      }
    } catch {
      return .failure(error)
    }
  }

  /// The Sessions collection from the service root (`Links.Sessions`, DSP0266 §13.3.4), or the
  /// well-known `/redfish/v1/SessionService/Sessions` when only `SessionService` is linked;
  /// nil when the service has neither, or wants authentication for its root (not conformant).
  private static func sessionsPath(_ client: RedfishClient) async throws(RedfishError) -> String? {
    let root = "/redfish/v1/"
    let answer = try await client.exchange(.GET, root, body: nil, headers: [])
    if answer.status == 401 || answer.status == 403 { return nil }
    let response = try client.checked(answer, root)
    guard let links = try? JSONDecoder().decode(RedfishReference.ServiceRootLinks.self, from: response.body) else {
      throw client.failure(.malformed, root, message: "the service root is not a Redfish JSON object")
    }
    if let sessions = links.Links?.Sessions?.id { return sessions }
    return links.SessionService == nil ? nil : "/redfish/v1/SessionService/Sessions"
  }

  /// A `Location` header's path: it may be a full URL or already a path.
  static func path(of location: String) -> String? {
    if location.hasPrefix("/") { return location }
    guard let url = URLComponents(string: location), !url.percentEncodedPath.isEmpty else { return nil }
    return url.percentEncodedPath
  }
}
