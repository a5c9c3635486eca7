import Foundation
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Synchronization

/// WebSocket load for `Benchmarks/bench-websocket.sh` (a benchmark, not a test):
///
///     websocket-bench streams CLIENTS SECONDS URL   # readings/s delivered to CLIENTS read_stream clients
///     websocket-bench roundtrips SECONDS URL        # request/read round trips over one connection
///
/// Counting starts after a 2 s warm-up.
@main
struct WebSocketBench {
  static let warmUp = Duration.seconds(2)

  static func main() async throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    var logger = Logger(label: "websocket-bench")
    logger.logLevel = .warning
    switch arguments.first {
    case "streams" where arguments.count == 4:
      try await streams(clients: Int(arguments[1])!, seconds: Int(arguments[2])!, url: arguments[3], logger: logger)
    case "roundtrips" where arguments.count == 3:
      try await roundTrips(seconds: Int(arguments[1])!, url: arguments[2], logger: logger)
    default:
      print("usage: websocket-bench streams CLIENTS SECONDS URL | roundtrips SECONDS URL")
      exit(2)
    }
  }

  static func streams(clients: Int, seconds: Int, url: String, logger: Logger) async throws {
    let counts = (0..<clients).map { _ in Counter() }
    let counting = Flag()
    let clock = ContinuousClock()
    let end = clock.now + warmUp + .seconds(seconds)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for client in 0..<clients {
        group.addTask {
          try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
            try await outbound.write(.text(#"{"id":\#(client),"event":"request/read_stream","data":{}}"#))
            try await withThrowingTaskGroup(of: Void.self) { connection in
              connection.addTask {
                for try await frame in inbound where frame.fin {
                  if counting.value.load(ordering: .relaxed) { counts[client].value.add(1, ordering: .relaxed) }
                }
              }
              try await clock.sleep(until: end)
              connection.cancelAll()
              try await outbound.close(.normalClosure, reason: nil)
            }
          }
        }
      }
      try await clock.sleep(for: warmUp)
      counting.value.store(true, ordering: .relaxed)
      try await clock.sleep(until: end)
      counting.value.store(false, ordering: .relaxed)
      try await group.waitForAll()
    }
    let perClient = counts.map { $0.value.load(ordering: .relaxed) }
    let total = perClient.reduce(0, +)
    print(String(format: "%d clients: %.0f readings/s delivered in total, %.0f per client (min %.0f, max %.0f)",
                 clients, Double(total) / Double(seconds), Double(total) / Double(seconds * clients),
                 Double(perClient.min() ?? 0) / Double(seconds), Double(perClient.max() ?? 0) / Double(seconds)))
  }

  static func roundTrips(seconds: Int, url: String, logger: Logger) async throws {
    let result = Mutex<(count: Int, latencies: [Duration])>((0, []))
    let clock = ContinuousClock()
    try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
      var replies = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
      let start = clock.now
      var id = 0
      while clock.now < start + warmUp + .seconds(seconds) {
        id += 1
        let sent = clock.now
        try await outbound.write(.text(#"{"id":\#(id),"event":"request/read","data":{}}"#))
        guard let reply = try await replies.next(), case .text(let text) = reply, text.contains(#""event":"response/reading""#) else {
          print("unexpected reply")
          exit(1)
        }
        if sent > start + warmUp {
          let latency = clock.now - sent
          result.withLock { $0.count += 1; $0.latencies.append(latency) }
        }
      }
      try await outbound.close(.normalClosure, reason: nil)
    }
    let (count, latencies) = result.withLock { $0 }
    let sorted = latencies.sorted()
    func percentile(_ p: Double) -> Double {
      let value = sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
      return Double(value.components.attoseconds) / 1e15 + Double(value.components.seconds) * 1000
    }
    print(String(format: "request/read over one connection: %.0f round trips/s, p50 %.2f ms, p99 %.2f ms",
                 Double(count) / Double(seconds), percentile(0.5), percentile(0.99)))
  }
}

final class Counter: Sendable {
  let value = Atomic<Int>(0)
}

final class Flag: Sendable {
  let value = Atomic<Bool>(false)
}
