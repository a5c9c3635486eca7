import Foundation
import SynseServerCore

/// Query-string rules of docs/api-v3.md §1.5: form decoding, blank values dropped, repeated keys
/// kept in order; strict single-valued keys fail on repeats.
struct QueryParameters {
  private let pairs: [(String, String)]

  init(_ query: String?) {
    guard let query, !query.isEmpty else {
      pairs = []
      return
    }
    pairs = query.split(separator: "&").compactMap { part in
      let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let key = Self.decode(pieces[0])
      let value = pieces.count > 1 ? Self.decode(pieces[1]) : ""
      return value.isEmpty ? nil : (key, value)
    }
  }

  private static func decode(_ text: Substring) -> String {
    let spaced = text.replacingOccurrences(of: "+", with: " ")
    // Invalid percent escapes or non-UTF-8 bytes keep the raw text rather than failing.
    return spaced.removingPercentEncoding ?? spaced
  }

  func all(_ key: String) -> [String] { pairs.filter { $0.0 == key }.map(\.1) }

  /// The first value (lenient keys: `force`, `ids`, `refresh`, `plugin`).
  func first(_ key: String) -> String? { pairs.first { $0.0 == key }?.1 }

  /// At most one value, else 400 with `message`.
  func single(_ key: String, _ message: String) throws(SynseError) -> String? {
    let values = all(key)
    guard values.count <= 1 else { throw .invalidUsage(message) }
    return values.first
  }

  /// `true` only for the value `true` in any case.
  func flag(_ key: String) -> Bool { first(key)?.lowercased() == "true" }

  /// One tag group per `tags` parameter, comma separated, untrimmed.
  var tagGroups: [[String]] {
    all("tags").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
  }
}
