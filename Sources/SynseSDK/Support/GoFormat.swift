/// Renders values the way Go's `%v` verb does, which the device ID algorithm depends on
/// (docs/plugin-protocol.md §2.4).
enum GoFormat {
  /// `%v` of a value decoded from YAML.
  static func value(_ value: ConfigValue) -> String {
    switch value {
    case .null: return "<nil>"
    case .bool(let flag): return flag ? "true" : "false"
    case .int(let number): return String(number)
    case .float(let number): return float(number)
    case .string(let text): return text
    case .list(let items): return "[" + items.map(Self.value).joined(separator: " ") + "]"
    case .map(let pairs):
      let sorted = pairs.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
      return "map[" + sorted.map { "\($0.key):\(Self.value($0.value))" }.joined(separator: " ") + "]"
    }
  }

  /// `%v` of a float64: Go's shortest `%g`, so the shortest round-trip digits in exponent
  /// form when the decimal exponent is below -4 or at least 6 (`1e+06`, `123456`, `1e-05`).
  static func float(_ number: Double) -> String {
    if number.isNaN { return "NaN" }
    if number.isInfinite { return number > 0 ? "+Inf" : "-Inf" }
    if number == 0 { return number.sign == .minus ? "-0" : "0" }
    // Swift's description is the shortest round-trip representation; take its digits.
    let (digits, exponent) = shortestDigits(abs(number))
    let sign = number < 0 ? "-" : ""
    if exponent < -4 || exponent >= 6 {
      let mantissa = digits.count > 1 ? "\(digits.first!).\(digits.dropFirst())" : digits
      let expSign = exponent < 0 ? "-" : "+"
      let expDigits = String(abs(exponent))
      return sign + mantissa + "e" + expSign + (expDigits.count < 2 ? "0" + expDigits : expDigits)
    }
    let pointPosition = exponent + 1
    if pointPosition <= 0 {
      return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
    }
    if pointPosition >= digits.count {
      return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
    }
    let index = digits.index(digits.startIndex, offsetBy: pointPosition)
    return sign + digits[..<index] + "." + digits[index...]
  }

  /// The significant digits and decimal exponent of the shortest round-trip form of `number`.
  private static func shortestDigits(_ number: Double) -> (digits: String, exponent: Int) {
    let text = "\(number)"  // e.g. "1234.5", "1e-05", "1.234567e+20"
    var mantissa = Substring(text)
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      mantissa = text[..<e]
      exponent = Int(text[text.index(after: e)...]) ?? 0
    }
    var integerPart = mantissa
    var fractionPart: Substring = ""
    if let dot = mantissa.firstIndex(of: ".") {
      integerPart = mantissa[..<dot]
      fractionPart = mantissa[mantissa.index(after: dot)...]
    }
    var digits = String(integerPart) + fractionPart
    var pointExponent = exponent + integerPart.count - 1
    while digits.hasPrefix("0") && digits.count > 1 {
      digits.removeFirst()
      pointExponent -= 1
    }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    return (digits, pointExponent)
  }
}
