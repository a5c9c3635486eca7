import Foundation

// The parts of DMTF Redfish schemas (DSP0268) that discovery reads. Every property is optional:
// DMTF services omit what they do not implement and send `null` for readings they lack; keys not
// named here (vendor `Oem` blocks, `@Redfish.Copyright`, …) are ignored by `Decodable`.

/// `{"@odata.id": "/redfish/v1/…"}`: a link to another resource.
struct RedfishRef: Decodable, Sendable {
  var id: String?
  enum CodingKeys: String, CodingKey { case id = "@odata.id" }
}

/// `Resource.Status`: `Health` (OK, Warning, Critical) and `State` (Enabled, Absent, …).
struct RedfishStatus: Decodable, Sendable {
  var Health: String?
  var State: String?
}

/// What any resource or array member may carry (Resource.v1_x): `@odata.id`, `Id`, `MemberId`,
/// `Name`, `Status`.
struct RedfishHeader: Decodable, Sendable {
  var odataID: String?
  var Id: String?
  var MemberId: String?
  var Name: String?
  var Status: RedfishStatus?

  enum CodingKeys: String, CodingKey {
    case odataID = "@odata.id"
    case Id, MemberId, Name, Status
  }
}

/// A schema's own properties `P` and the ``RedfishHeader``, both read from one JSON object, so
/// each schema struct lists only its own properties; `resource.Name` and `resource.Reading`
/// read either part.
@dynamicMemberLookup
struct Headed<P: Decodable & Sendable>: Decodable, Sendable {
  var header: RedfishHeader
  var properties: P

  init(from decoder: any Decoder) throws {
    header = try RedfishHeader(from: decoder)
    properties = try P(from: decoder)
  }

  subscript<T>(dynamicMember path: KeyPath<RedfishHeader, T>) -> T { header[keyPath: path] }
  subscript<T>(dynamicMember path: KeyPath<P, T>) -> T { properties[keyPath: path] }
}

/// `ServiceRoot.v1_x` (DSP0266 §9.1, the resource at `/redfish/v1`).
struct ServiceRoot: Decodable, Sendable {
  var odataType: String?
  var RedfishVersion: String?
  var UUID: String?
  var Chassis: RedfishRef?
  var Systems: RedfishRef?
  var PowerEquipment: RedfishRef?
  var ProtocolFeaturesSupported: ProtocolFeatures?

  enum CodingKeys: String, CodingKey {
    case odataType = "@odata.type"
    case RedfishVersion, UUID, Chassis, Systems, PowerEquipment, ProtocolFeaturesSupported
  }

  /// `ProtocolFeaturesSupported.ExpandQuery` (DSP0266 §7.3.2 `$expand`).
  struct ProtocolFeatures: Decodable, Sendable {
    var ExpandQuery: ExpandQuery?
  }
  struct ExpandQuery: Decodable, Sendable {
    var ExpandAll: Bool?
    var Levels: Bool?
    var NoLinks: Bool?
  }

  /// A body is a Redfish service root when it says so (`@odata.type` `#ServiceRoot.v1_x…`) or
  /// carries the `RedfishVersion` every service root has.
  var isServiceRoot: Bool {
    (odataType?.hasPrefix("#ServiceRoot.") ?? false) || RedfishVersion != nil
  }

  /// The query that asks a collection for its members in place, or nil when the service does
  /// not offer it: `.` (subordinate resources, which include `Members`, not `Links`) is preferred
  /// over `*` (everything), with `$levels=1` when levels are supported.
  var expandQuery: String? {
    guard let expand = ProtocolFeaturesSupported?.ExpandQuery else { return nil }
    let levels = expand.Levels == true ? "($levels=1)" : ""
    if expand.NoLinks == true { return "?$expand=.\(levels)" }
    if expand.ExpandAll == true { return "?$expand=*\(levels)" }
    return nil
  }
}

/// A resource collection page (`…Collection`): `Members` (links or, under `$expand`, whole
/// resources) and `Members@odata.nextLink` when the service pages it.
struct RedfishCollection<M: Decodable & Sendable>: Decodable, Sendable {
  var Members: [RedfishMember<M>]?
  var nextLink: String?
  enum CodingKeys: String, CodingKey {
    case Members
    case nextLink = "Members@odata.nextLink"
  }
}

/// One entry of `Members`: a bare link (fetch it), the resource itself (expanded), or an
/// expanded resource that does not decode (a problem for that member only).
enum RedfishMember<M: Decodable & Sendable>: Decodable, Sendable {
  case link(String)
  /// An expanded member, with its `@odata.id` when it has one.
  case resource(id: String?, M)
  case bad(id: String, reason: String)

  init(from decoder: any Decoder) throws {
    let container: KeyedDecodingContainer<AnyKey>
    do { container = try decoder.container(keyedBy: AnyKey.self) } catch {
      self = .bad(id: "Members[\(decoder.codingPath.last?.intValue ?? 0)]", reason: "not an object"); return
    }
    let id = (try? container.decodeIfPresent(String.self, forKey: AnyKey("@odata.id"))) ?? nil
    // Every resource has `Id` and `Name` (Resource.v1_x requires both); without them this is a
    // link, whatever annotations it carries, and fetching it is the safe way to be wrong.
    if !container.contains(AnyKey("Id")) && !container.contains(AnyKey("Name")) {
      guard let id else { self = .bad(id: "Members[?]", reason: "member without @odata.id"); return }
      self = .link(id)
      return
    }
    do { self = .resource(id: id, try M(from: decoder)) } catch {
      self = .bad(id: id ?? "Members[?]", reason: DecodeProblem.describe(error, below: decoder.codingPath.count))
    }
  }
}

/// A coding key for any JSON object key.
struct AnyKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(_ string: String) { stringValue = string }
  init?(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

/// Short reasons for a body that did not decode, naming the JSON path at fault.
enum DecodeProblem {
  /// `below`: leading path components to leave out (an expanded member's `Members.<n>`), so a
  /// member's reason reads the same expanded or fetched alone.
  /// - Parameter body: the document, when at hand: a body that is not JSON at all (a proxy's
  ///   or a busy BMC's HTML page) is said to be so, with its first characters.
  static func describe(_ error: any Error, below: Int = 0, body: Data? = nil) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    if case .dataCorrupted(let context) = error, context.codingPath.count <= below, let body, let start = notJSON(body) {
      return "not JSON: the body starts with \"\(start)\""
    }
    func at(_ path: [any CodingKey]) -> String {
      let path = path.dropFirst(below)
      return path.isEmpty ? "" : " at " + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .dataCorrupted(let context):
      return context.codingPath.count <= below ? "malformed JSON" : "bad value\(at(context.codingPath))"
    case .typeMismatch(let type, let context): return "wrong shape\(at(context.codingPath)): expected \(type)"
    case .keyNotFound(let key, let context): return "missing \(key.stringValue)\(at(context.codingPath))"
    case .valueNotFound(let type, let context): return "null\(at(context.codingPath)): expected \(type)"
    @unknown default: return "\(error)"
    }
  }

  /// The first characters of `body`, one line, when it does not start like a JSON document.
  static func notJSON(_ body: Data, limit: Int = 40) -> String? {
    let text = String(decoding: body.prefix(limit * 4 + 8), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    if let first = text.first, first == "{" || first == "[" { return nil }
    if text.isEmpty { return "" }
    let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    return line.count > limit ? String(line.prefix(limit)) + "…" : line
  }
}
