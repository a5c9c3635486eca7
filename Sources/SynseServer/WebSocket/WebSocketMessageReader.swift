import Foundation
import HummingbirdWebSocket
import NIOCore

/// Assembles WebSocket messages from frames with a soft size limit: an oversize message is
/// read to its end and discarded, so the caller can answer it with an error event and keep
/// the connection (hummingbird's own message stream closes the socket with 1009 instead).
/// Frames bigger than the decoder's `maxFrameSize` still close the connection: that cap
/// bounds what one connection can make the server buffer.
struct WebSocketMessageReader {
  enum Message {
    case data(Data)
    /// A message that went over the limit; `size` is how many bytes it had when dropped.
    case oversize(size: Int)
  }

  enum ProtocolViolation: Error {
    case continuationWithoutStart
    case newMessageBeforeEnd
  }

  private var frames: WebSocketInboundStream.AsyncIterator
  let limit: Int

  init(_ inbound: WebSocketInboundStream, limit: Int) {
    frames = inbound.makeAsyncIterator()
    self.limit = limit
  }

  /// The next message, or nil once the socket is closed.
  mutating func next() async throws -> Message? {
    var collected = Data()
    var size = 0
    var started = false
    while let frame = try await frames.next() {
      switch frame.opcode {
      case .text, .binary: if started { throw ProtocolViolation.newMessageBeforeEnd }
      case .continuation: if !started { throw ProtocolViolation.continuationWithoutStart }
      }
      started = true
      size += frame.data.readableBytes
      if size <= limit {
        collected.append(contentsOf: frame.data.readableBytesView)
      } else {
        collected = Data()
      }
      if frame.fin {
        return size <= limit ? .data(collected) : .oversize(size: size)
      }
    }
    return nil
  }
}
