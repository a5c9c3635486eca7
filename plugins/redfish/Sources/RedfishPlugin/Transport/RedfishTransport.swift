public import Foundation

/// One HTTP exchange with a Redfish service (DMTF DSP0266 §7), already authenticated.
///
/// `path` is an absolute path on the service (`/redfish/v1/Chassis/1`), optionally with a
/// query (`?$expand=.($levels=1)`); `@odata.id` values are passed as they are.
/// Implementations: ``RedfishClient`` (AsyncHTTPClient, Basic or session auth) in the plugin.
public protocol RedfishTransport: Sendable {
  /// The endpoint as configured (`https://10.0.0.5`), for logs and health; never credentials.
  var endpoint: String { get }
  /// GET → 2xx response; redirects followed.
  /// - Throws: ``RedfishError`` (`.unreachable`, `.timeout`, `.unauthorized`, `.status`, …).
  func get(_ path: String) async throws(RedfishError) -> RedfishResponse
  /// PATCH with a JSON body; `ifMatch` is the resource's `@odata.etag`/`ETag` when offered.
  func patch(_ path: String, body: Data, ifMatch: String?) async throws(RedfishError) -> RedfishResponse
  /// POST with a JSON body (actions such as `#ComputerSystem.Reset`).
  func post(_ path: String, body: Data) async throws(RedfishError) -> RedfishResponse
}

/// A 2xx answer: the body bytes (JSON, possibly empty for 204) and the headers a caller needs.
public struct RedfishResponse: Sendable {
  /// HTTP status, 200…299.
  public var status: Int
  /// The body as received; decode it with `JSONDecoder`.
  public var body: Data
  /// `ETag` header, if any (used for `If-Match` on PATCH).
  public var etag: String?
  /// `Location` header, if any (a session's or a task monitor's URI).
  public var location: String?

  public init(status: Int, body: Data, etag: String? = nil, location: String? = nil) {
    self.status = status
    self.body = body
    self.etag = etag
    self.location = location
  }
}

/// Why a Redfish exchange failed, naming the endpoint and path (never credentials); the text
/// is what the plugin's health and logs show.
public struct RedfishError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: String, Sendable, Equatable {
    /// Connection refused, DNS failure, TLS handshake failure.
    case unreachable
    /// No answer within the endpoint's `timeout`.
    case timeout
    /// 401/403 after a fresh login (bad credentials or privilege).
    case unauthorized
    /// Any other non-2xx status.
    case status
    /// A body that is not the JSON Redfish promises, or a service root that is not Redfish.
    case malformed
    /// A bad configuration entry (URL, credentials file, CA file).
    case config
  }

  public var kind: Kind
  public var endpoint: String
  public var path: String
  /// HTTP status for `.status`/`.unauthorized`, else nil.
  public var httpStatus: Int?
  public var message: String

  public init(_ kind: Kind, endpoint: String, path: String = "", httpStatus: Int? = nil, message: String) {
    self.kind = kind
    self.endpoint = endpoint
    self.path = path
    self.httpStatus = httpStatus
    self.message = message
  }

  public var description: String {
    let at = path.isEmpty ? endpoint : "\(endpoint)\(path)"
    return "redfish \(at): \(message)"
  }
}
