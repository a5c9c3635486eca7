import Foundation

/// A device tag `[namespace/][annotation:]label` (docs/plugin-protocol.md §3.2.4).
///
/// Selectors match tags exactly and case-sensitively; a selector label `**` matches any label
/// (within the selector's annotation, if it has one).
public struct Tag: Sendable, Hashable, CustomStringConvertible {
  /// `default` when the tag string had none; an empty one matches nothing.
  public var namespace: String
  /// `""` when the tag string had none.
  public var annotation: String
  /// The required part.
  public var label: String

  /// Builds a tag from parts without checking them; use ``init(parsing:)`` for user text.
  public init(namespace: String = "default", annotation: String = "", label: String) {
    self.namespace = namespace
    self.annotation = annotation
    self.label = label
  }

  /// Parses a tag string; a missing namespace becomes `default`.
  ///
  /// - Throws: ``ConfigError`` when the text does not match the tag grammar.
  public init(parsing raw: String) throws(ConfigError) {
    let text = raw.trimmingCharacters(in: .whitespaces)
    func invalid(_ why: String) -> ConfigError {
      ConfigError(.invalidValue, message: "invalid tag '\(raw)': \(why)")
    }
    guard !text.isEmpty else { throw invalid("empty") }
    guard !text.contains(where: \.isWhitespace) else { throw invalid("tags cannot contain spaces") }
    var rest = Substring(text)
    var namespace = ""
    var annotation = ""
    if let slash = rest.firstIndex(of: "/") {
      namespace = String(rest[..<slash])
      rest = rest[rest.index(after: slash)...]
      guard !namespace.isEmpty, !namespace.contains(":") else { throw invalid("bad namespace") }
    }
    if let colon = rest.firstIndex(of: ":") {
      annotation = String(rest[..<colon])
      rest = rest[rest.index(after: colon)...]
      guard !annotation.isEmpty else { throw invalid("bad annotation") }
    }
    guard !rest.isEmpty, !rest.contains("/"), !rest.contains(":") else { throw invalid("bad label") }
    self.init(namespace: namespace.isEmpty ? "default" : namespace, annotation: annotation, label: String(rest))
  }

  /// `namespace/annotation:label`, omitting empty parts (Synse Server's rendering).
  public var description: String {
    (namespace.isEmpty ? "" : namespace + "/") + (annotation.isEmpty ? "" : annotation + ":") + label
  }

  /// Whether a device tag satisfies this selector tag; the label `**` matches any label.
  func matches(_ deviceTag: Tag) -> Bool {
    guard !namespace.isEmpty, namespace == deviceTag.namespace else { return false }
    if label == "**" { return annotation.isEmpty || annotation == deviceTag.annotation }
    return annotation == deviceTag.annotation && label == deviceTag.label
  }
}

extension Tag {
  /// `<namespace>/endpoint:<host-port>`: which peer (BMC, SNMP agent) a device is read from, as
  /// two of one model have the same sensors. Characters a tag does not take become `-`; nil
  /// when the result is still not a tag.
  public static func endpoint(_ namespace: String, _ endpoint: String) -> String? {
    let label = String(endpoint.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "-" })
    let tag = "\(namespace)/endpoint:" + label
    return (try? Tag(parsing: tag)) != nil ? tag : nil
  }
}
