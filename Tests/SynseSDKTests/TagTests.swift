import Testing
@testable import SynseSDK

struct TagTests {
  @Test(arguments: [
    ("foo", "default", "", "foo"), ("a/foo", "a", "", "foo"), ("x:foo", "default", "x", "foo"),
    ("a-b/x-y:m-n", "a-b", "x-y", "m-n"), ("a.b/x.y:m.n", "a.b", "x.y", "m.n"), ("  padded  ", "default", "", "padded"),
  ])
  func validTags(text: String, namespace: String, annotation: String, label: String) throws {
    let tag = try Tag(parsing: text)
    #expect(tag == Tag(namespace: namespace, annotation: annotation, label: label))
  }

  @Test(arguments: ["a//b", "a::b", "a/b:", "/", ":", "", "a b", "x/y z"])
  func invalidTags(text: String) {
    #expect(throws: ConfigError.self) { try Tag(parsing: text) }
  }

  @Test func wildcardLabelMatchesWithinNamespace() throws {
    let device = Tag(namespace: "rack", annotation: "pos", label: "3")
    #expect(Tag(namespace: "rack", label: "**").matches(device))
    #expect(Tag(namespace: "rack", annotation: "pos", label: "**").matches(device))
    #expect(!Tag(namespace: "rack", annotation: "other", label: "**").matches(device))
    #expect(!Tag(namespace: "", label: "3").matches(Tag(namespace: "", label: "3")))
  }
}
