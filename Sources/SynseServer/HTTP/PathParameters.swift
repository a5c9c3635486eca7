import Foundation
import Hummingbird

extension Parameters {
  /// The path parameter `name` percent-decoded, as the original's router gave it
  /// (docs/api-v3.md §1.2: `/v3/read/emulator%2Dled` is `/v3/read/emulator-led`). A parameter
  /// that does not decode (`%ZZ`, bytes that are not UTF-8) is kept as sent, so that the 404
  /// names what the client asked for.
  func decoded(_ name: String) throws -> String {
    let raw = try require(name)
    return raw.removingPercentEncoding ?? raw
  }
}
