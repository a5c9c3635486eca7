import HTTPTypes

extension HTTPFields {
  /// The value of the `name` field, as `self[name]` gives it (several such fields joined with
  /// ", "; not for `Cookie`), without the subscript's lazy join, which built a new string on
  /// every request even for the one field a request has: it cost more than the token check
  /// it fed.
  func value(of name: HTTPField.Name) -> String? {
    guard let (value, repeated) = field(name) else { return nil }
    return repeated ? self[name] : value
  }

  /// The first `name` field's value, and whether another follows; nil without one.
  func field(_ name: HTTPField.Name) -> (value: String, repeated: Bool)? {
    guard let first = firstIndex(where: { $0.name == name }) else { return nil }
    return (self[first].value, self[index(after: first)...].contains(where: { $0.name == name }))
  }
}
