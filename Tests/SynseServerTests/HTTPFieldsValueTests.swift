import HTTPTypes
import Testing
@testable import SynseServer

/// ``HTTPFields/value(of:)`` answers as the subscript does, repeated fields included.
struct HTTPFieldsValueTests {
  @Test(arguments: [
    [], [("Authorization", "Bearer a")], [("Accept", "*/*"), ("authorization", "Bearer a"), ("Host", "x")],
    [("Authorization", "Bearer a"), ("Accept", "*/*"), ("Authorization", "Bearer b")], [("Authorization", "")],
  ] as [[(String, String)]])
  func aFieldReadsAsTheSubscriptReadsIt(fields: [(String, String)]) {
    var headers = HTTPFields()
    for (name, value) in fields { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
    #expect(headers.value(of: .authorization) == headers[.authorization])
  }

  @Test func repeatedFieldsAreJoined() {
    let headers: HTTPFields = [.authorization: "Bearer a", .accept: "*/*", .authorization: "Bearer b"]
    #expect(headers.value(of: .authorization) == "Bearer a, Bearer b")
  }
}
