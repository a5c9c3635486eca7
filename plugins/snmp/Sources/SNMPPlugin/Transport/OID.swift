/// An SNMP object identifier (RFC 2578 §3.5, SMIv2), written dotted: `1.3.6.1.2.1.1.2.0`.
///
/// Ordered lexicographically by sub-identifier, as agents walk them (RFC 3416 §4.2.2).
public struct OID: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var parts: [UInt]

  public init(_ parts: [UInt]) { self.parts = parts }

  /// Parses dotted decimal (a leading `.` allowed); nil for anything else, an OID of fewer than
  /// two sub-identifiers, or a sub-identifier over 2³²−1 (RFC 2578 §7.1.3).
  public init?(_ text: String) { self.init(text, minimumLength: 2) }

  /// Parses a table row's index (RFC 2578 §7.7): one sub-identifier or more, dotted.
  public init?(index text: String) { self.init(text, minimumLength: 1) }

  private init?(_ text: String, minimumLength: Int) {
    var body = Substring(text)
    if body.hasPrefix(".") { body = body.dropFirst() }
    var parts: [UInt] = []
    for piece in body.split(separator: ".", omittingEmptySubsequences: false) {
      guard !piece.isEmpty, piece.count <= 10, piece.allSatisfy({ $0.isASCII && $0.isNumber }),
        let number = UInt(piece), number <= UInt(UInt32.max)
      else { return nil }
      parts.append(number)
    }
    guard parts.count >= minimumLength, parts.count <= 128 else { return nil }
    self.parts = parts
  }

  public var description: String { parts.count == 1 ? String(parts[0]) : parts.map(String.init).joined(separator: ".") }

  public func hasPrefix(_ prefix: OID) -> Bool {
    parts.count >= prefix.parts.count && parts.starts(with: prefix.parts)
  }

  /// The sub-identifiers after `prefix` (a table row's index after its column), or nil when
  /// `prefix` is not a prefix.
  public func suffix(after prefix: OID) -> OID? {
    guard parts.count > prefix.parts.count, hasPrefix(prefix) else { return nil }
    return OID(Array(parts[prefix.parts.count...]))
  }

  public func appending(_ suffix: OID) -> OID { OID(parts + suffix.parts) }

  public static func < (lhs: OID, rhs: OID) -> Bool { lhs.parts.lexicographicallyPrecedes(rhs.parts) }
}
