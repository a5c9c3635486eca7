public import Yams

extension YamlError {
  /// The error as one line: where (line and column, from 1) and what, for a config error that
  /// also names the file. Yams' own text spans three lines (the problem, the offending line,
  /// a caret), which breaks a one-line log or exit message.
  ///
  /// ```swift
  /// "line 3, column 1: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 14)"
  /// ```
  public var oneLine: String {
    switch self {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
         .composer(let context, let problem, let mark, _):
      let within = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
      return "line \(mark.line), column \(mark.column): \(problem)\(within)"
    default:
      return "\(self)".split(whereSeparator: \.isNewline).joined(separator: " ")
    }
  }
}
