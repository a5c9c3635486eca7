import Foundation

/// The writable properties of a resource as read back after a write, and its etag.
///
/// Only `IndicatorLED`, `LocationIndicatorActive` and `PowerState` are kept (Resource,
/// ComputerSystem, Chassis, Outlet schemas); a property of an unexpected JSON type counts as
/// absent rather than failing the whole document, as services put `null` in optional ones.
struct RedfishResourceState: Sendable, Equatable {
  var values: [String: RedfishScalar]
  /// `@odata.etag` from the body (DSP0266 §7.6.2), if any.
  var etag: String?

  init(values: [String: RedfishScalar], etag: String? = nil) {
    self.values = values
    self.etag = etag
  }

  /// Decodes a GET answer.
  /// - Throws: ``RedfishError`` `.malformed` naming `path` when the body is not a JSON object.
  init(_ response: RedfishResponse, endpoint: String, path: String) throws(RedfishError) {
    do {
      self = try JSONDecoder().decode(Document.self, from: response.body).state
    } catch {
      throw RedfishError(.malformed, endpoint: endpoint, path: path, message: "not a Redfish resource: \(error)")
    }
  }

  /// The `If-Match` value for a PATCH: the body's `@odata.etag`, else the `ETag` header, else nil
  /// (the service does not use etags; the PATCH goes unconditionally).
  static func etag(of response: RedfishResponse) -> String? {
    let body = try? JSONDecoder().decode(Document.self, from: response.body)
    return body?.state.etag ?? response.etag
  }

  private struct Document: Decodable {
    var state: RedfishResourceState

    enum Key: String, CodingKey {
      case indicatorLED = "IndicatorLED"
      case locationIndicatorActive = "LocationIndicatorActive"
      case powerState = "PowerState"
      case etag = "@odata.etag"
    }

    init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: Key.self)
      var values: [String: RedfishScalar] = [:]
      for key in [Key.indicatorLED, .powerState] {
        if let text = try? container.decodeIfPresent(String.self, forKey: key) { values[key.rawValue] = .text(text) }
      }
      if let flag = try? container.decodeIfPresent(Bool.self, forKey: .locationIndicatorActive) {
        values[Key.locationIndicatorActive.rawValue] = .flag(flag)
      }
      let etag = try? container.decodeIfPresent(String.self, forKey: .etag)
      state = RedfishResourceState(values: values, etag: etag)
    }
  }
}
