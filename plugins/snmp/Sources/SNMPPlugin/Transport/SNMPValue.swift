import Foundation

/// A variable's value as the agent sent it (RFC 3416 §3, SNMPv2-SMI types).
public enum SNMPValue: Sendable, Equatable {
  /// INTEGER, Integer32.
  case integer(Int64)
  /// Counter32, Gauge32/Unsigned32, TimeTicks, Counter64.
  case unsigned(UInt64)
  /// OCTET STRING (DisplayString and binary alike).
  case octets([UInt8])
  case oid(OID)
  case ipAddress([UInt8])
  case null
  /// The agent has no such object or instance (RFC 3416 §4.2.1 exceptions).
  case noSuchObject, noSuchInstance
  /// A walk reached the end of the agent's view.
  case endOfMibView

  /// The value as a number: integers, unsigned types, and strings of a decimal number (some
  /// agents send readings as text); nil otherwise.
  public var number: Double? {
    switch self {
    case .integer(let value): Double(value)
    case .unsigned(let value): Double(value)
    case .octets(let bytes): Double(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces))
    default: nil
    }
  }

  /// The value as text: strings as UTF-8 (up to a NUL, trailing whitespace trimmed), numbers
  /// and OIDs in decimal; nil for the exceptions and NULL.
  public var text: String? {
    switch self {
    case .octets(let bytes):
      let body = bytes.prefix { $0 != 0 }
      return String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    case .integer(let value): return String(value)
    case .unsigned(let value): return String(value)
    case .oid(let oid): return oid.description
    case .ipAddress(let bytes): return bytes.map(String.init).joined(separator: ".")
    default: return nil
    }
  }

  /// False for the exceptions and NULL: the agent has no value there.
  public var isPresent: Bool {
    switch self {
    case .noSuchObject, .noSuchInstance, .endOfMibView, .null: false
    default: true
    }
  }
}
