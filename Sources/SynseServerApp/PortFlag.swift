/// The `--port` flag, held to the rule of the `port` key and `SYNSE_PORT`: a whole number
/// from 0 to 65535 (0 asks for any free port). Parsed here rather than by ArgumentParser,
/// whose own `Int` parsing prints usage and exits 64, and whose `Int` takes 70000 only for
/// the listener to wrap it to 4464.
public enum PortFlag {
  /// Ports a listener can take; the same range as the `port` key's.
  public static let range = 0...65535

  /// `text` as a port number.
  ///
  /// - Throws: ``SynseServerFailure`` with exit code 2 and a one-line message naming
  ///   `--port`, the range and `text`, for anything but digits in ``range``.
  public static func parse(_ text: String) throws(SynseServerFailure) -> Int {
    guard text.count <= 5, !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(text), range.contains(port) else {
      throw SynseServerFailure(
        exitCode: 2, message: "--port expects a port number \(range.lowerBound)-\(range.upperBound), got '\(text)'")
    }
    return port
  }
}
