import Yams

/// The configuration as a tree: merging, walking it for misplaced sections and unknown keys,
/// and reading YAML into it.
extension ServerConfiguration {
  /// The first section of `tree` that holds something other than a mapping (`metrics: 5`,
  /// `plugin: emulator`), which would otherwise drop every key below it unsaid.
  static func misplacedSection(in tree: JSONValue) -> ([String], JSONValue)? {
    for section in sections {
      var current = tree
      for key in section {
        guard case .object(let pairs) = current, let next = pairs.last(where: { $0.0 == key })?.1 else { current = .null; break }
        current = next
      }
      switch current {
      case .null, .object: continue
      default: return (section, current)
      }
    }
    return nil
  }

  /// The paths of `tree`'s leaves that no key declares (`port:` under the wrong parent, a typo),
  /// dotted; a declared map (`…endpoints.labels`) takes any key below it.
  static func unknownKeys(in tree: JSONValue) -> [String] {
    let known = Set(keys.map(\.dotted))
    let parents = Set(sections.map { $0.joined(separator: ".") } + [""])
    var unknown: [String] = []
    func walk(_ node: JSONValue, _ path: [String]) {
      let dotted = path.joined(separator: ".")
      if known.contains(dotted) { return }
      if case .object(let pairs) = node {
        for (key, value) in pairs { walk(value, path + [key]) }
      } else if !parents.contains(dotted) {
        unknown.append(dotted)
      }
    }
    walk(tree, [])
    return unknown
  }

  static func nested(_ path: [String], _ value: JSONValue) -> JSONValue {
    path.reversed().reduce(value) { inner, key in .object([(key, inner)]) }
  }

  /// Maps merge key by key; anything else in `overlay` replaces `base`.
  static func merge(_ base: JSONValue, _ overlay: JSONValue) -> JSONValue {
    guard case .object(var pairs) = base, case .object(let overlayPairs) = overlay else { return overlay }
    for (key, value) in overlayPairs {
      if let index = pairs.firstIndex(where: { $0.0 == key }) {
        pairs[index].1 = merge(pairs[index].1, value)
      } else {
        pairs.append((key, value))
      }
    }
    return .object(pairs)
  }

  static func json(from node: Node, file: String) throws(ConfigurationError) -> JSONValue {
    switch node {
    case .scalar(let scalar):
      if scalar.style != .plain { return .string(scalar.string) }
      // Only `true`/`false` are booleans here: YAML 1.1's `yes`/`on` stay text, so a boolean
      // key given `yes` is refused by name rather than read as something else.
      if ["true", "false"].contains(scalar.string.lowercased()) { return .bool(scalar.string.lowercased() == "true") }
      if let number = node.int { return .int(Int64(number)) }
      if node.null != nil { return .null }
      if let number = node.float { return .double(number) }
      return .string(scalar.string)
    case .sequence(let sequence):
      var items: [JSONValue] = []
      for item in sequence { items.append(try json(from: item, file: file)) }
      return .array(items)
    case .mapping(let mapping):
      var pairs: [(String, JSONValue)] = []
      for (key, value) in mapping { pairs.append((key.string ?? "", try json(from: value, file: file))) }
      return .object(pairs)
    case .alias:
      throw ConfigurationError("config file \(file): YAML aliases are not supported")
    }
  }
}
