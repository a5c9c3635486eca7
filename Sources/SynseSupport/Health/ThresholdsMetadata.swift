internal import Foundation

/// Which reading of a device a set of thresholds applies to: its reading type (e.g.
/// `temperature`) and, for a device with several readings of one type, the reading context
/// entries that tell them apart (docs/plugin-protocol.md §4: a reading's `context` map).
///
/// Text form (the key in ``ThresholdsMetadata``): `temperature`, or
/// `temperature[sensor=cpu,position=top]`. Context keys and values may not contain `[`, `]`,
/// `,` or `=`; the type may not be empty. Printed with context keys sorted.
public struct ReadingSelector: Sendable, Hashable, CustomStringConvertible {
  public var readingType: String
  public var context: [String: String]

  public init(readingType: String, context: [String: String] = [:]) {
    self.readingType = readingType
    self.context = context
  }

  /// - Throws: ``ThresholdsError/invalidSelector(key:)`` with `text` as the key.
  public init(parsing text: String) throws(ThresholdsError) {
    let reserved: Set<Character> = ["[", "]", ",", "="]
    guard let open = text.firstIndex(of: "[") else {
      guard !text.isEmpty, !text.contains(where: reserved.contains) else { throw .invalidSelector(key: text) }
      self.init(readingType: text)
      return
    }
    let type = text[..<open]
    guard !type.isEmpty, text.hasSuffix("]") else { throw .invalidSelector(key: text) }
    let body = text[text.index(after: open)..<text.index(before: text.endIndex)]
    var context: [String: String] = [:]
    for pair in body.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty, context[String(parts[0])] == nil,
        !pair.contains(where: { $0 == "[" || $0 == "]" })
      else { throw .invalidSelector(key: text) }
      context[String(parts[0])] = String(parts[1])
    }
    self.init(readingType: String(type), context: context)
  }

  public var description: String {
    guard !context.isEmpty else { return readingType }
    let pairs = context.keys.sorted().map { "\($0)=\(context[$0]!)" }
    return "\(readingType)[\(pairs.joined(separator: ","))]"
  }

  /// Whether a reading of `type` with `readingContext` is the one selected: same type, and
  /// every selector context entry present with the same value (extra reading context is fine).
  public func matches(type: String, readingContext: [String: String]) -> Bool {
    type == readingType && context.allSatisfy { readingContext[$0.key] == $0.value }
  }
}

/// Thresholds carried in a device's metadata, so the v3 wire protocol stays unchanged
/// (docs/plugin-protocol.md: `V3Device.metadata` is `map<string,string>`): under the key
/// ``key`` (`synse.thresholds`), a JSON object mapping a ``ReadingSelector`` text to the
/// Redfish-style ``Thresholds`` object. Example (docs/health.md):
///
///     {"temperature": {"UpperCaution": {"Reading": 80, "DwellTime": "PT5S"},
///                      "UpperCritical": {"Reading": 95}, "HysteresisReading": 2}}
public enum ThresholdsMetadata {
  /// The device metadata key that holds the thresholds JSON.
  public static let key = "synse.thresholds"

  /// Parses the metadata value.
  ///
  /// - Throws: ``ThresholdsError`` whose key starts at the selector, e.g.
  ///   `temperature.UpperCaution.Reading` (malformed JSON: key empty).
  public static func parse(_ json: String) throws(ThresholdsError) -> [ReadingSelector: Thresholds] {
    let entries: [String: Thresholds]
    do {
      entries = try JSONDecoder().decode([String: Thresholds].self, from: Data(json.utf8))
    } catch let error as ThresholdsError {
      throw error
    } catch let error as DecodingError {
      throw describe(error)
    } catch {
      throw .malformed(key: "", reason: "\(error)")
    }
    var result: [ReadingSelector: Thresholds] = [:]
    for (text, thresholds) in entries {
      let selector = try ReadingSelector(parsing: text)
      guard result.updateValue(thresholds, forKey: selector) == nil else {
        throw .invalidSelector(key: text)  // the same selector written two ways
      }
    }
    return result
  }

  /// Encodes `map` as the metadata value: compact JSON with sorted keys, so one map always
  /// gives the same text.
  public static func encode(_ map: [ReadingSelector: Thresholds]) -> String {
    let entries = Dictionary(uniqueKeysWithValues: map.map { ($0.key.description, $0.value) })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Encoding cannot fail: every value is a finite Double (validated) or a String.
    guard let data = try? encoder.encode(entries) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }

  /// The decoder's own errors (bad JSON, wrong type) as a ``ThresholdsError``: the coding path
  /// becomes the dotted key. (Our own errors pass through JSONDecoder untouched.)
  private static func describe(_ error: DecodingError) -> ThresholdsError {
    func path(_ context: DecodingError.Context) -> String { context.codingPath.map(\.stringValue).joined(separator: ".") }
    switch error {
    case .typeMismatch(let type, let context): return .malformed(key: path(context), reason: "expected \(written(type))")
    case .valueNotFound(let type, let context): return .malformed(key: path(context), reason: "expected \(written(type)), got null")
    case .keyNotFound(let key, let context): return .malformed(key: path(context), reason: "missing \(key.stringValue)")
    case .dataCorrupted(let context): return .malformed(key: path(context), reason: "not valid JSON: \(context.debugDescription)")
    @unknown default: return .malformed(key: "", reason: "\(error)")
    }
  }

  /// What an operator writes for a Swift type the decoder expected (it names `Double`,
  /// `Dictionary<String, Any>`): the same words in a plugin's device config and a server rule.
  private static func written(_ type: Any.Type) -> String {
    switch type {
    case is Double.Type, is Float.Type, is Int.Type: "a number"
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    default:
      switch String(describing: type) {
      case let name where name.hasPrefix("Dictionary"): "a mapping"
      case let name where name.hasPrefix("Array"): "a list"
      case let name: name
      }
    }
  }
}
