import Foundation

// The few JSON shapes the transport itself reads (discovery decodes everything else).

/// `{"@odata.id": …}` links, and the parts of a service root a login needs (DSP0268
/// `ServiceRoot`: `Links.Sessions`, `SessionService`).
enum RedfishReference {
  struct Link: Decodable {
    var id: String?
    enum CodingKeys: String, CodingKey { case id = "@odata.id" }
  }

  struct ServiceRootLinks: Decodable {
    struct Links: Decodable { var Sessions: Link? }
    var Links: Links?
    var SessionService: Link?
  }

  /// A resource's own `@odata.id` (a created session's, when `Location` is missing).
  static func id(in body: Data) -> String? {
    (try? JSONDecoder().decode(Link.self, from: body))?.id
  }
}

/// A Redfish error response (DSP0266 §9.6): `error.@Message.ExtendedInfo[].Message`, else
/// `error.message`.
enum RedfishErrorBody {
  private struct Body: Decodable {
    struct Info: Decodable { var Message: String? }
    struct Inner: Decodable {
      var message: String?
      var extendedInfo: [Info]?
      enum CodingKeys: String, CodingKey {
        case message
        case extendedInfo = "@Message.ExtendedInfo"
      }
    }
    var error: Inner
  }

  /// The most specific message, or nil when the body is not a Redfish error.
  static func message(in body: Data) -> String? {
    guard !body.isEmpty, let decoded = try? JSONDecoder().decode(Body.self, from: body) else { return nil }
    return decoded.error.extendedInfo?.lazy.compactMap(\.Message).first ?? decoded.error.message
  }
}
