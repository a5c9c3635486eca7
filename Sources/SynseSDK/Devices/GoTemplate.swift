import Foundation

/// The small part of Go's `text/template` that Synse device configs use: actions
/// `{{ env "NAME" }}`, `{{ ctx "key" }}` and field paths such as `{{ .Meta.Tag }}`.
struct GoTemplate {
  let environment: [String: String]
  let context: [String: String]
  let fields: [String: String]

  /// Renders `text`; text without `{{` is returned unchanged.
  func render(_ text: String) throws(ConfigError) -> String {
    guard text.contains("{{") else { return text }
    var output = ""
    var rest = Substring(text)
    while let open = rest.range(of: "{{") {
      output += rest[..<open.lowerBound]
      guard let close = rest[open.upperBound...].range(of: "}}") else {
        throw ConfigError(.invalidValue, message: "unclosed template action in '\(text)'")
      }
      output += try evaluate(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces), in: text)
      rest = rest[close.upperBound...]
    }
    return output + rest
  }

  private func evaluate(_ action: String, in text: String) throws(ConfigError) -> String {
    if action.hasPrefix(".") {
      guard let value = fields[action] else {
        throw ConfigError(.invalidValue, message: "unknown template field \(action) in '\(text)'")
      }
      return value
    }
    let words = action.split(separator: " ", maxSplits: 1).map(String.init)
    guard words.count == 2, words[1].count >= 2, words[1].hasPrefix("\""), words[1].hasSuffix("\"") else {
      throw ConfigError(.invalidValue, message: "unsupported template action '{{\(action)}}' in '\(text)'")
    }
    let argument = String(words[1].dropFirst().dropLast())
    switch words[0] {
    case "env": return environment[argument] ?? ""
    case "ctx": return context[argument] ?? ""
    default: throw ConfigError(.invalidValue, message: "unknown template function '\(words[0])' in '\(text)'")
    }
  }
}
