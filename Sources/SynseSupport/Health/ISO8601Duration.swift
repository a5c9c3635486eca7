/// ISO 8601 durations as Redfish writes them (`Edm.Duration`, e.g. `DwellTime: "PT5S"`):
/// `[-]P[nD][T[nH][nM][n[.fff]S]]`. Years, months and weeks are refused: their length varies.
public enum ISO8601Duration {
  /// The longest duration taken, 10^12 s (some 31,700 years): longer ones would not fit the
  /// seconds a `Duration` can give back when it is written out again (``format(_:)``).
  public static let maximum = Duration.seconds(1_000_000_000_000)

  /// Parses `text` (e.g. `PT5S`, `PT0.25S`, `PT1M30S`, `P1DT2H`, `-PT5S`).
  ///
  /// - Returns: the duration, or `nil` if `text` is not of the form above (`P`, `PT` alone,
  ///   a designator out of order or repeated, or a fraction anywhere but the seconds are refused)
  ///   or longer than ``maximum`` either way.
  public static func parse(_ text: String) -> Duration? {
    var chars = Substring(text)
    var negative = false
    if chars.first == "-" { negative = true; chars = chars.dropFirst() }
    guard chars.first == "P" else { return nil }
    chars = chars.dropFirst()
    var total = Duration.zero
    var seconds = 0.0  // checked against the maximum as it grows, before it can overflow
    var inTime = false
    var lastRank = 0  // D=1, H=2, M=3, S=4: each at most once, in order
    var sawComponent = false
    var number = ""
    for c in chars {
      if c.isASCII, c.isNumber || c == "." {
        number.append(c)
        continue
      }
      if c == "T" {
        guard !inTime, number.isEmpty else { return nil }
        inTime = true
        continue
      }
      let rank: Int
      let unit: Duration
      switch (c, inTime) {
      case ("D", false): (rank, unit) = (1, .seconds(86_400))
      case ("H", true): (rank, unit) = (2, .seconds(3_600))
      case ("M", true): (rank, unit) = (3, .seconds(60))
      case ("S", true): (rank, unit) = (4, .seconds(1))
      default: return nil
      }
      guard rank > lastRank, let value = Double(number), !number.hasPrefix("."), !number.hasSuffix(".") else { return nil }
      if rank != 4 && number.contains(".") { return nil }
      seconds += Double(unit.components.seconds) * value
      guard seconds <= 1e12 else { return nil }
      // Whole numbers exactly (a Double factor rounds in the last attoseconds).
      total += value == value.rounded() ? unit * Int64(value) : unit * value
      lastRank = rank
      sawComponent = true
      number = ""
    }
    // "PT" with nothing after it, or digits with no designator, is malformed.
    guard sawComponent, number.isEmpty, !(inTime && lastRank < 2) else { return nil }
    return negative ? .zero - total : total
  }

  /// Formats `duration` as seconds, e.g. `PT5S`, `PT0.25S`, `PT90S`, `-PT1S` (to the
  /// nanosecond, trailing zeros dropped).
  public static func format(_ duration: Duration) -> String {
    let negative = duration < .zero
    let magnitude = negative ? .zero - duration : duration
    let (seconds, attoseconds) = magnitude.components
    let nanos = attoseconds / 1_000_000_000
    var text = (negative ? "-PT" : "PT") + String(seconds)
    if nanos > 0 {
      var fraction = String(nanos)
      fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
      while fraction.hasSuffix("0") { fraction.removeLast() }
      text += "." + fraction
    }
    return text + "S"
  }
}
