public import Foundation

/// RFC 3339 timestamps as Synse exchanges them (docs/api-v3.md §1.6): UTC, whole seconds, `Z`
/// suffix, e.g. `2020-01-01T12:00:00Z`. The server's `timestamp`/`updated` fields and the
/// SDK's reading and transaction times all come from here, so both sides agree on the format.
public enum Timestamp {
  /// The current wall-clock time, formatted (the one clock behind every server timestamp).
  public static func now() -> String { format(Date()) }

  /// `date` in UTC with the fraction dropped (rounded down, so a time never moves forward).
  public static func format(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    guard (0...9999).contains(Int(parts.tm_year) + 1900) else {
      return String(
        format: "%04d-%02d-%02dT%02d:%02d:%02dZ",
        Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
        Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
    // By hand: `String(format:)` was an eighth of a plugin's CPU at 1,000 readings a second.
    return String(unsafeUninitializedCapacity: 20) { bytes in
      func put(_ value: Int32, _ digits: Int, at offset: Int) {
        var value = value
        for index in stride(from: offset + digits - 1, through: offset, by: -1) {
          bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
          value /= 10
        }
      }
      put(parts.tm_year + 1900, 4, at: 0)
      put(parts.tm_mon + 1, 2, at: 5)
      put(parts.tm_mday, 2, at: 8)
      put(parts.tm_hour, 2, at: 11)
      put(parts.tm_min, 2, at: 14)
      put(parts.tm_sec, 2, at: 17)
      for (offset, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "Z")] as [(Int, Unicode.Scalar)] {
        bytes[offset] = UInt8(ascii: separator)
      }
      return 20
    }
  }

  /// Parses RFC 3339 with optional fractional seconds and any offset (`Z`, `z`, `+hh:mm`,
  /// `-hh:mm`; `T`, `t` or a blank between date and time).
  ///
  /// - Returns: the instant, or `nil` if `text` is malformed.
  public static func parse(_ text: String) -> Date? {
    let pattern = #"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#
    guard let match = text.range(of: pattern, options: .regularExpression), match == text.startIndex..<text.endIndex else {
      return nil
    }
    let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    guard digits.count >= 6 else { return nil }
    var parts = tm()
    parts.tm_year = Int32(digits[0] - 1900)
    parts.tm_mon = Int32(digits[1] - 1)
    parts.tm_mday = Int32(digits[2])
    parts.tm_hour = Int32(digits[3])
    parts.tm_min = Int32(digits[4])
    parts.tm_sec = Int32(digits[5])
    var epoch = Double(timegm(&parts))
    if let dot = text.firstIndex(of: ".") {
      let fraction = text[dot...].prefix { $0 == "." || $0.isNumber }
      epoch += Double("0" + fraction) ?? 0
    }
    if let sign = text.lastIndex(where: { $0 == "+" || $0 == "-" }), sign > text.index(text.startIndex, offsetBy: 10) {
      let offset = text[text.index(after: sign)...].split(separator: ":").compactMap { Int($0) }
      if offset.count == 2 {
        let seconds = Double(offset[0] * 3600 + offset[1] * 60)
        epoch += text[sign] == "+" ? -seconds : seconds
      }
    }
    return Date(timeIntervalSince1970: epoch)
  }
}
