import Foundation
import Testing
@testable import SynseServerCore

struct ModelTests {
  @Test func jsonIsAlwaysValidAndKeepsKeyOrder() throws {
    let value = JSONValue.object([
      ("b", .double(.nan)), ("a", .double(.infinity)), ("c", .double(-.infinity)), ("d", .double(85)),
      ("e", .double(Double(Float(0.1)))), ("f", .string("line\n\"quoted\"\u{01}")), ("g", .uint(UInt64.max)),
    ])
    let compact = value.serialized(pretty: false)
    #expect(compact == #"{"b":null,"a":null,"c":null,"d":85.0,"e":0.10000000149011612,"f":"line\n\"quoted\"\u0001","g":18446744073709551615}"#)
    #expect(try JSONSerialization.jsonObject(with: Data(compact.utf8)) is [String: Any])
    #expect(JSONValue.object([("a", .array([.int(1)]))]).serialized(pretty: true) == "{\n  \"a\": [\n    1\n  ]\n}\n")
  }

  @Test func readingValuesJSONCannotCarryBecomeValidJSON() {
    #expect(ReadingValue.double(.nan) == .null)
    #expect(ReadingValue.double(-.infinity) == .null)
    #expect(ReadingValue.string("NaN") == .null)
    #expect(ReadingValue.string("inf") == .string("inf"))
    #expect(ReadingValue.bytes(Data("12".utf8)) == .string("12"))
    #expect(ReadingValue.bytes(Data(#"{"a":[1,2]}"#.utf8)) == .object([("a", .array([.int(1), .int(2)]))]))
    #expect(ReadingValue.bytes(Data([0x00, 0xFF, 0xFE, 0x41])) == .object([("base64", .string("AP/+QQ=="))]))
  }

  @Test func writeBodies() throws {
    let items = try Commands.writeItems(from: Array(#"[{"action":"state","data":"on","transaction":"t1"},{"action":"color"}]"#.utf8))
    #expect(items.map(\.action) == ["state", "color"] && items[0].transaction == "t1" && items[1].data == "")
    #expect(try Commands.writeItems(from: Array(#"{"action":"x"}"#.utf8)).count == 1)
    for bad in ["", "{", "5", #"{"data":"on"}"#, #"[{"action":1}]"#, #"["action"]"#, "\u{FF}"] {
      #expect(throws: SynseError.self, "\(bad)") { try Commands.writeItems(from: Array(bad.utf8)) }
    }
    #expect(throws: SynseError.invalidUsage("invalid json: the list of write objects is empty")) { try Commands.writeItems(from: Array("[]".utf8)) }
    let missing = try #require(throws: SynseError.self) { try Commands.writeItems(from: Array(#"{"data":"on"}"#.utf8)) }
    #expect(missing == .invalidUsage(#"invalid json: key "action" is required in payload, but not found"#))
  }

  @Test func namespacesApplyOnlyToTagsWithoutOne() {
    #expect(Commands.applyNamespace("vapor", to: [["foo", "a/b", "type:led"]]) == [["vapor/foo", "a/b", "vapor/type:led"]])
  }

  @Test func backoffGrowsToItsCapWithJitter() {
    var backoff = Backoff(base: .seconds(1), cap: 3)
    #expect((0..<5).map { _ in backoff.nextBound() } == [.seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
    backoff.reset()
    for _ in 0..<20 { #expect(backoff.nextDelay() <= .seconds(8)) }
  }

  @Test(arguments: [
    (SynseError.invalidUsage("x"), 400, "invalid user input"), (.notFound("x"), 404, "resource not found"),
    (.unsupportedAction("x"), 405, "device action not supported"), (.serverError("x"), 500, "error processing the request"),
    (.unexpected("x"), 500, "an unexpected error occurred"),
  ])
  func errorCatalogue(error: SynseError, status: Int, description: String) {
    #expect(error.httpStatus == status && error.description == description)
    #expect(error.body(timestamp: "t").serialized(pretty: false) == #"{"http_code":\#(status),"description":"\#(description)","timestamp":"t","context":"x"}"#)
  }
}
