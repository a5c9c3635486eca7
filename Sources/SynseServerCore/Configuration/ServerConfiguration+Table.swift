extension ServerConfiguration {
  /// The README's configuration table (`### Configuration`), rendered from ``keys``: key,
  /// default, variable, meaning. A test compares the README with it, so a key added to
  /// ``keys`` without its row (or a row left behind) fails the build's tests.
  static var markdownTable: String {
    let rows = keys.map { key in
      let name = key.isMap ? "\(key.dotted).<name>" : key.dotted
      let variable = key.isMap ? "\(key.variable)_<NAME>" : key.variable
      return "| `\(name)` | \(key.shownDefault ?? shownDefault(key.defaultValue())) | `\(variable)` | \(key.description) |"
    }
    return (["| key | default | environment | meaning |", "|---|---|---|---|"] + rows).joined(separator: "\n")
  }

  /// A default as the table shows it: numbers bare, text and lists in backticks, `unset` for nil.
  private static func shownDefault(_ value: JSONValue?) -> String {
    switch value {
    case nil, .null?: "unset"
    case .int(let number)?: "\(number)"
    case .string(let text)?: "`\(text)`"
    case let other?: "`\(other.serialized(pretty: false))`"
    }
  }
}
