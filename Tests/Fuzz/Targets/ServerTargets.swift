import Foundation
import HTTPTypes
@testable import SynseServer
@testable import SynseServerCore

/// One parser of outside input under fuzzing (`scripts/fuzz.sh`, issue 22): `run` feeds it one
/// input; it must return (an error is fine) without crashing, trapping or hanging. The same
/// targets replay the kept inputs of `Tests/Fuzz/corpus/` in the test suite
/// (`FuzzRegressionTests`).
public struct FuzzTarget: Sendable {
  public let run: @Sendable ([UInt8]) -> Void

  public static let all: [String: FuzzTarget] = [
    "websocket": .websocket,
    "write-body": .writeBody,
    "query": .query,
    "config": .config,
    "device-config": .deviceConfig,
    "hwmon": .hwmon,
    "web-config": .webConfig,
  ]
}

extension FuzzTarget {
  /// A WebSocket text message (docs/api-v3.md §7): the envelope, the event's scope and every
  /// accessor a handler uses on its `data`, and the error reply's rendering.
  static let websocket = FuzzTarget { bytes in
    switch WebSocketConnection.envelope(Data(bytes)) {
    case .invalid(let error):
      _ = WebSocketReply(id: .null, error: error)
    case .request(let id, let name, let data):
      if let event = WebSocketEvent(rawValue: name) { _ = event.scope(data) }
      for key in ["device", "id", "ids", "tags", "tag_groups", "ns", "sort", "start", "end", "payload", "refresh", "force", "transaction"] {
        _ = try? data.required(key)
        _ = data.string(key)
        _ = data.truthy(key)
        _ = try? data.tagGroups(key)
        _ = try? data.strings(key)
      }
      _ = WebSocketReply(id: id, error: .unsupportedEvent(name))
    }
  }

  /// A write request's body (`POST /v3/write/*`, docs/api-v3.md §4.8): items or a 400.
  static let writeBody = FuzzTarget { bytes in
    _ = try? Commands.writeItems(from: bytes)
  }

  /// A request target's path and query: the tag, sort and namespace parameters, and which
  /// scope the path needs. The input is `path?query`.
  static let query = FuzzTarget { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    let path = text.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
    let query = text.firstIndex(of: "?").map { String(text[text.index(after: $0)...]) }
    let parameters = QueryParameters(query)
    _ = parameters.tagGroups
    _ = try? parameters.single("sort", "")
    _ = try? parameters.single("ns", "")
    _ = parameters.flag("force")
    _ = parameters.all("tags")
    _ = AccessRequirement(method: .get, path: path, query: query)
    _ = AccessRequirement(method: .post, path: path, query: query)
  }

  /// A server configuration file (docs/api-v3.md §9.2), as `--config` would read it.
  static let config = FuzzTarget { bytes in
    let path = FuzzFiles.write(bytes, name: "config.yml")
    _ = try? ServerConfiguration.load(path: path, environment: [:])
  }
}

extension FuzzTarget {
  /// A Prometheus web config file (`metrics.web_config_file`, ``WebConfig``): its YAML and keys.
  static let webConfig = FuzzTarget { bytes in
    _ = try? WebConfig.parse(String(decoding: bytes, as: UTF8.self), directory: FuzzFiles.directory)
  }
}

/// One scratch file per name, rewritten for every input.
enum FuzzFiles {
  static let directory: String = {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("synse-fuzz-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  static func write(_ bytes: [UInt8], name: String) -> String {
    let path = "\(directory)/\(name)"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
  }
}
