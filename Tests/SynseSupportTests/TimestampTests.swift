import Foundation
import SynseSupport
import Testing

struct TimestampTests {
  @Test(arguments: [
    (0.0, "1970-01-01T00:00:00Z"),
    (1_577_880_000.0, "2020-01-01T12:00:00Z"),
    // The fraction is dropped, never rounded up into the next second.
    (1_577_880_000.999, "2020-01-01T12:00:00Z"),
    (951_782_400.0, "2000-02-29T00:00:00Z"),
    (946_684_799.0, "1999-12-31T23:59:59Z"),
    (2_147_483_648.0, "2038-01-19T03:14:08Z"),
    (-1.0, "1969-12-31T23:59:59Z"),
    // Outside the four-digit years the digits are written by hand for: still every digit.
    (253_402_300_800.0, "10000-01-01T00:00:00Z"),
  ])
  func formatsUTCWholeSeconds(seconds: Double, text: String) {
    #expect(Timestamp.format(Date(timeIntervalSince1970: seconds)) == text)
  }

  @Test(arguments: [
    ("2020-01-01T12:00:00Z", 1_577_880_000.0),
    ("2020-01-01t12:00:00z", 1_577_880_000.0),
    ("2020-01-01 12:00:00Z", 1_577_880_000.0),
    ("2020-01-01T12:00:00.5Z", 1_577_880_000.5),
    ("2020-01-01T14:00:00+02:00", 1_577_880_000.0),
    ("2020-01-01T07:30:00-04:30", 1_577_880_000.0),
  ])
  func parsesRFC3339(text: String, seconds: Double) {
    #expect(Timestamp.parse(text) == Date(timeIntervalSince1970: seconds))
  }

  @Test(arguments: ["", "2020-01-01", "2020-01-01T12:00:00", "2020-01-01T12:00Z", "yesterday", "2020-01-01T12:00:00+0200"])
  func refusesMalformedText(text: String) {
    #expect(Timestamp.parse(text) == nil)
  }

  @Test func nowIsTheFormattedCurrentTime() throws {
    let before = Date().timeIntervalSince1970.rounded(.down)
    let now = try #require(Timestamp.parse(Timestamp.now())).timeIntervalSince1970
    #expect(now >= before && now <= Date().timeIntervalSince1970)
  }
}
