public import NIOCore

/// The Server-Sent Events wire form of the event feed (WHATWG HTML §9.2 "Server-sent events";
/// docs/api-v3.md "Events"): UTF-8 lines ending in LF, each message ended by a blank line.
public enum SSEFrame {
  /// The `event:` name of the message telling a resuming client how many events it missed.
  public static let missedEvent = "events.missed"

  /// `id: N`, `event: <kind>`, `data: <compact JSON>` and a blank line. Compact JSON has no raw
  /// line breaks (they are escaped inside strings), so `data` is always one line.
  public static func event(_ event: ServerEvent) -> ByteBuffer { event.frame }

  /// The frame of an event, rendered once when it is published (``ServerEvent/frame``).
  static func render(id: UInt64, kind: ServerEvent.Kind, data: JSONFragment) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeString("id: \(id)\nevent: \(kind.rawValue)\ndata: ")
    buffer.writeImmutableBuffer(data.compact)
    buffer.writeString("\n\n")
    return buffer
  }

  public static func missed(_ count: UInt64) -> ByteBuffer {
    ByteBuffer(string: "event: \(missedEvent)\ndata: {\"missed\":\(count)}\n\n")
  }

  /// A comment line, which clients ignore: keeps idle connections (and proxies) alive and
  /// lets the server notice a client that went away.
  public static let heartbeat = ByteBuffer(string: ": heartbeat\n\n")
}
