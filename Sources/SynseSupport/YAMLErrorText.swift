public import Yams

extension YamlError {
  /// The error as one line: where (line and column, from 1) and what, for a config error that
  /// also names the file. Yams' own text spans several lines (the problem, the offending line,
  /// a caret; for a duplicate key, the whole file as "Context"), which breaks a one-line log or
  /// exit message.
  ///
  /// ```swift
  /// "line 3, column 1: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 14)"
  /// "line 2, column 1: duplicate key 'logging' (first at line 1, column 1)"
  /// ```
  public var oneLine: String {
    switch self {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
         .composer(let context, let problem, let mark, _):
      let within = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
      return "line \(mark.line), column \(mark.column): \(problem)\(within)"
    case .duplicatedKeysInMapping(let duplicates, let context):
      // Yams marks the first occurrence of the first key (in sorted order); the operator's
      // mistake is the later one, so point there when it can be found in the text.
      let key = duplicates.sorted().first ?? ""
      let first = context.mark
      let others = duplicates.count > 1 ? " (and \(duplicates.sorted().dropFirst().map { "'\($0)'" }.joined(separator: ", ")))" : ""
      guard let again = Self.nextOccurrence(of: key, after: first, in: context.text) else {
        return "line \(first.line), column \(first.column): duplicate key '\(key)'\(others)"
      }
      return "line \(again.line), column \(again.column): duplicate key '\(key)'\(others) (first at line \(first.line), column \(first.column))"
    case .reader(let problem, let offset, _, _):
      // Yams' own text quotes the offending line, which may be a password or token.
      return offset.map { "character \($0 + 1): \(problem)" } ?? problem
    default:
      return "\(self)".split(whereSeparator: \.isNewline).joined(separator: " ")
    }
  }

  /// Where `key` appears again as a mapping key (`key:`, `"key":`) after the one at `mark`:
  /// in block style at the same column on a later line, in flow style later on any line.
  static func nextOccurrence(of key: String, after mark: Mark, in text: String) -> (line: Int, column: Int)? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
    let token = Array(key.unicodeScalars)
    func isKey(_ line: [Unicode.Scalar], at start: Int) -> Bool {
      var index = start
      let quote = index < line.count && (line[index] == "\"" || line[index] == "'") ? line[index] : nil
      if quote != nil { index += 1 }
      guard index + token.count <= line.count, Array(line[index..<index + token.count]) == token else { return false }
      index += token.count
      if let quote { guard index < line.count, line[index] == quote else { return false }; index += 1 }
      while index < line.count, line[index] == " " { index += 1 }
      guard index < line.count, line[index] == ":" else { return false }
      return start == 0 || [" ", "{", ",", "\t"].contains(line[start - 1])
    }
    guard mark.line >= 1, mark.line <= lines.count else { return nil }
    // Block style: only spaces before the first one, so its twin sits at the same column.
    let column = mark.column - 1
    let block = lines[mark.line - 1].prefix(column).allSatisfy { $0 == " " }
    for lineIndex in mark.line - 1..<lines.count {
      let line = lines[lineIndex]
      let from = lineIndex == mark.line - 1 ? column + 1 : 0
      guard from < line.count else { continue }
      if block {
        if lineIndex > mark.line - 1, isKey(line, at: column), line.prefix(column).allSatisfy({ $0 == " " }) { return (lineIndex + 1, column + 1) }
      } else if let start = (from..<line.count).first(where: { isKey(line, at: $0) }) {
        return (lineIndex + 1, start + 1)
      }
    }
    return nil
  }
}
