import Foundation
import Logging
import RedfishPlugin

/// The DMTF mockups in Tests/Fixtures/redfish (a copy of ../shared/fixtures/redfish) (see its README) and temp copies of them that
/// a test may break: each resource `/redfish/v1/<path>` is `<tree>/<path>/index.json`.
enum MockupTrees {
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/redfish").standardized
  static let logger = Logger(label: "redfish-discovery-tests")

  static func tree(_ name: String) -> URL { fixtures.appendingPathComponent(name) }

  /// A copy of mockup `name` in a fresh temp dir; `remove(_:)` it when done.
  static func copy(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redfish-mockup-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let copy = dir.appendingPathComponent(name)
    try FileManager.default.copyItem(at: tree(name), to: copy)
    return copy
  }

  static func remove(_ copy: URL) { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }

  static func file(_ tree: URL, _ odataID: String) -> URL {
    let relative = odataID.replacingOccurrences(of: "/redfish/v1", with: "").drop { $0 == "/" }
    return (relative.isEmpty ? tree : tree.appendingPathComponent(String(relative))).appendingPathComponent("index.json")
  }

  /// The resource as a JSON object, read without the code under test.
  static func json(_ tree: URL, _ odataID: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file(tree, odataID)))
    return object as? [String: Any] ?? [:]
  }

  static func write(_ tree: URL, _ odataID: String, _ object: [String: Any]) throws {
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: file(tree, odataID))
  }

  static func writeRaw(_ tree: URL, _ odataID: String, _ text: String) throws {
    let url = file(tree, odataID)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
  }

  /// Changes one resource of a copy.
  static func edit(_ tree: URL, _ odataID: String, _ change: (inout [String: Any]) -> Void) throws {
    var object = try json(tree, odataID)
    change(&object)
    try write(tree, odataID, object)
  }

  /// `@odata.id`s of the members of every chassis' `Sensors` collection, in order (read with
  /// JSONSerialization, independently of the walk's decoding).
  static func sensorIDs(_ tree: URL) throws -> [String] {
    var ids: [String] = []
    for chassis in try members(tree, "/redfish/v1/Chassis") {
      guard let sensors = (try json(tree, chassis)["Sensors"] as? [String: Any])?["@odata.id"] as? String else { continue }
      ids += try members(tree, sensors)
    }
    return ids
  }

  static func members(_ tree: URL, _ collection: String) throws -> [String] {
    ((try json(tree, collection)["Members"] as? [[String: Any]]) ?? []).compactMap { $0["@odata.id"] as? String }
  }

  static func walk(_ transport: MockupFilesTransport) async throws -> RedfishInventory {
    try await RedfishDiscovery.walk(transport, logger: logger)
  }
}

extension RedfishInventory {
  /// The points with `key`, expected to be exactly one.
  func points(_ key: String) -> [RedfishPoint] { points.filter { $0.key == key } }
  func point(_ key: String) -> RedfishPoint? { points.first { $0.key == key } }
}
