import Testing
@testable import SynseSDK
import SynseSupport

struct GoFormatTests {
  @Test(arguments: [
    (3.0, "3"), (3.23, "3.23"), (123456.0, "123456"), (1e6, "1e+06"), (1234567.0, "1.234567e+06"),
    (1e-5, "1e-05"), (0.0001, "0.0001"), (-4.5, "-4.5"), (0.1, "0.1"), (1e21, "1e+21"),
  ])
  func floatsRenderLikeGoPercentV(value: Double, expected: String) {
    #expect(GoFormat.float(value) == expected)
  }

  @Test func valuesRenderLikeGoPercentV() {
    #expect(GoFormat.value(.list([.string("a"), .string("b"), .string("c")])) == "[a b c]")
    #expect(GoFormat.value(.null) == "<nil>")
    #expect(GoFormat.value(.bool(false)) == "false")
    #expect(GoFormat.value(.map([("b", .int(2)), ("a", .int(1))])) == "map[a:1 b:2]")
  }

  @Test(arguments: [
    ("30s", 30_000_000_000), ("1m30s", 90_000_000_000), ("500ms", 500_000_000), ("1.5h", 5_400_000_000_000),
    ("0", 0), ("2µs", 2_000), ("-1s", -1_000_000_000),
  ] as [(String, Int64)])
  func goDurationsParse(text: String, nanoseconds: Int64) {
    #expect(GoDuration.parse(text) == .nanoseconds(nanoseconds))
  }

  // The last two overflow 64-bit nanoseconds (Go: "invalid duration"); they trapped once.
  @Test(arguments: ["", "1", "s", "1x", "1.2.3s", "abc", "3000000h", "9223372037s"])
  func badGoDurationsAreRejected(text: String) {
    #expect(GoDuration.parse(text) == nil)
  }

  @Test(arguments: [
    (30_000_000_000, "30s"), (0, "0s"), (2_500_000_000, "2.5s"), (300_000_000_000, "5m0s"), (90_000_000_000, "1m30s"),
    (3_600_000_000_000, "1h0m0s"), (1_500_000, "1.5ms"), (1_500, "1.5µs"), (12, "12ns"),
  ] as [(Int64, String)])
  func goDurationsFormat(nanoseconds: Int64, expected: String) {
    #expect(GoDuration.format(.nanoseconds(nanoseconds)) == expected)
  }

  @Test(arguments: [
    ("yes", ConfigValue.bool(true)), ("Off", .bool(false)), ("0x1F", .int(31)), ("017", .int(15)), ("1_000", .int(1000)),
    ("-4", .int(-4)), ("3.0", .float(3)), ("1e3", .float(1000)), ("~", .null), ("hello", .string("hello")),
    ("0b101", .int(5)), ("1.2.3", .string("1.2.3")),
  ])
  func yamlPlainScalarsResolveLikeGoYAMLv2(text: String, expected: ConfigValue) {
    #expect(YAMLReader.resolvePlain(text) == expected)
  }
}
