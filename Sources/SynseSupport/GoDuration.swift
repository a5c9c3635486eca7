import Foundation

/// Go's `time.Duration` text format, which Synse uses in config files and on the wire.
///
/// Parsing accepts what Go's `time.ParseDuration` accepts (`500ms`, `1.5h`, `2m30s`, `0`);
/// formatting reproduces `time.Duration.String()` (`30s`, `1m30s`, `1.5ms`, `0s`), because
/// transaction timeouts are compared as text by clients (the Python client tests expect `30s`).
public enum GoDuration {
  private static let units: [(String, Double)] = [
    ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
  ]

  /// Parses a Go duration string.
  ///
  /// - Returns: the duration, or `nil` when the text is not a Go duration or, as Go's
  ///   "invalid duration", does not fit in 64-bit nanoseconds (about 292 years).
  public static func parse(_ text: String) -> Duration? {
    var rest = Substring(text.trimmingCharacters(in: .whitespaces))
    var negative = false
    if let first = rest.first, first == "-" || first == "+" {
      negative = first == "-"
      rest = rest.dropFirst()
    }
    if rest == "0" { return .zero }
    if rest.isEmpty { return nil }
    var totalNanoseconds = 0.0
    while !rest.isEmpty {
      let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
      guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
        let value = Double(number.hasPrefix(".") ? "0" + number : String(number))
      else { return nil }
      rest = rest.dropFirst(number.count)
      let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
      guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
      rest = rest.dropFirst(unitText.count)
      totalNanoseconds += value * unit.1
    }
    guard let nanoseconds = Int64(exactly: totalNanoseconds.rounded()) else { return nil }
    return .nanoseconds(negative ? -nanoseconds : nanoseconds)
  }

  /// Formats a duration the way Go's `time.Duration.String()` does.
  public static func format(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    var nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    if nanoseconds == 0 { return "0s" }
    let negative = nanoseconds < 0
    if negative { nanoseconds = -nanoseconds }
    let sign = negative ? "-" : ""
    if nanoseconds < 1_000_000_000 {
      if nanoseconds < 1_000 { return "\(sign)\(nanoseconds)ns" }
      if nanoseconds < 1_000_000 { return sign + fraction(nanoseconds, scale: 1_000) + "µs" }
      return sign + fraction(nanoseconds, scale: 1_000_000) + "ms"
    }
    var text = fraction(nanoseconds % 60_000_000_000, scale: 1_000_000_000) + "s"
    let totalMinutes = nanoseconds / 60_000_000_000
    if totalMinutes > 0 {
      text = "\(totalMinutes % 60)m" + text
      let hours = totalMinutes / 60
      if hours > 0 { text = "\(hours)h" + text }
    }
    return sign + text
  }

  /// `value / scale` with the fraction's trailing zeros (and a bare point) trimmed.
  private static func fraction(_ value: Int64, scale: Int64) -> String {
    let whole = value / scale
    let remainder = value % scale
    if remainder == 0 { return "\(whole)" }
    var digits = String(remainder)
    let width = String(scale).count - 1
    digits = String(repeating: "0", count: width - digits.count) + digits
    while digits.hasSuffix("0") { digits.removeLast() }
    return "\(whole).\(digits)"
  }
}
