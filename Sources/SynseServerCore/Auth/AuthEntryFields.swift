/// The fields every credential entry of `auth.*` shares (a token of `auth.tokens_file`, a
/// certificate of `auth.client_certificates`), read and checked alike; errors name the entry
/// (`tokens[2].scopes`), never a value but the entry's own name.
struct AuthEntryFields {
  let values: [String: JSONValue]
  let at: String
  let problem: (String) -> AuthConfigurationError

  /// - Parameters:
  ///   - at: the entry in errors (`tokens[2]`, `auth.client_certificates[0]`).
  ///   - kind: what an entry is (`token`, `client certificate`), for an unknown field.
  ///   - fields: the fields an entry may have; `shape` says which it needs.
  /// - Throws: ``AuthConfigurationError`` when `item` is no mapping or has another field.
  init(
    _ item: JSONValue, at: String, kind: String, fields: [String], shape: String,
    problem: @escaping (String) -> AuthConfigurationError
  ) throws(AuthConfigurationError) {
    guard case .object(let pairs) = item else { throw problem("'\(at)' must be a mapping with \(shape)") }
    if let unknown = pairs.first(where: { !fields.contains($0.0) }) {
      throw problem("'\(at).\(unknown.0)' is not a \(kind) field (\(fields.joined(separator: ", ")))")
    }
    values = Dictionary(pairs, uniquingKeysWith: { _, last in last })
    self.at = at
    self.problem = problem
  }

  /// `name`: a non-blank string without control characters (it goes into audit lines), none of `taken`.
  func name(taken: some Sequence<String>) throws(AuthConfigurationError) -> String {
    guard case .string(let name)? = values["name"], !name.allSatisfy(\.isWhitespace),
      !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    else {
      throw problem("'\(at).name' must be a non-blank string without control characters")
    }
    guard !taken.contains(name) else { throw problem("'\(at).name' repeats the name '\(name)'") }
    return name
  }

  /// `scopes`: a non-empty list of `read`, `write`, `admin`.
  func scopes() throws(AuthConfigurationError) -> Set<Scope> {
    guard case .array(let items)? = values["scopes"], !items.isEmpty else {
      throw problem("'\(at).scopes' must be a non-empty list of read, write, admin")
    }
    var names: [String] = []
    for item in items {
      guard case .string(let text) = item else { throw problem("'\(at).scopes' must be a non-empty list of read, write, admin") }
      names.append(text)
    }
    let (scopes, unknown) = Scope.parse(names)
    if let unknown { throw problem("'\(at).scopes' has unknown scope '\(unknown)' (read, write, admin)") }
    return scopes
  }
}
