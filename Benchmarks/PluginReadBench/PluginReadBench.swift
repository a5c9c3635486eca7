import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SynseProtocol

/// Load generator for a plugin's `Read` RPC: concurrent clients issue full reads for a
/// fixed time and report RPCs/s, readings/s and latency percentiles.
@main
struct PluginReadBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "plugin-read-bench")

  @Option(help: "Plugin address host:port.") var address = "127.0.0.1:5001"
  @Option(help: "Seconds to run after a 1 s warm-up.") var seconds = 10
  @Option(help: "Concurrent callers over one HTTP/2 connection.") var concurrency = 8

  func run() async throws {
    let parts = address.split(separator: ":")
    guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("address must be host:port") }
    try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: String(parts[0]), port: port), transportSecurity: .plaintext)
    ) { grpc in
      let client = Synse_V3Plugin.Client(wrapping: grpc)
      _ = try await Self.measure(client, for: .seconds(1), concurrency: concurrency)
      let result = try await Self.measure(client, for: .seconds(seconds), concurrency: concurrency)
      let elapsed = Double(seconds)
      let latencies = result.latencies.sorted()
      func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
      print(String(
        format: "reads=%d rpc/s=%.1f readings/s=%.0f readings/rpc=%d p50=%.2fms p99=%.2fms",
        latencies.count, Double(latencies.count) / elapsed, Double(result.readings) / elapsed,
        latencies.isEmpty ? 0 : result.readings / latencies.count, percentile(0.5) * 1000, percentile(0.99) * 1000))
    }
  }

  struct Result: Sendable {
    var latencies: [Double] = []
    var readings = 0
  }

  static func measure(_ client: Synse_V3Plugin.Client<HTTP2ClientTransport.Posix>, for duration: Duration, concurrency: Int) async throws -> Result {
    let deadline = ContinuousClock.now + duration
    return try await withThrowingTaskGroup(of: Result.self) { group in
      for _ in 0..<concurrency {
        group.addTask {
          var result = Result()
          var request = Synse_V3ReadRequest()
          request.selector = Synse_V3DeviceSelector()
          while ContinuousClock.now < deadline {
            let start = ContinuousClock.now
            let count = try await client.read(request) { response in
              var count = 0
              for try await _ in response.messages { count += 1 }
              return count
            }
            let elapsed = start.duration(to: .now)
            result.latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            result.readings += count
          }
          return result
        }
      }
      var total = Result()
      for try await partial in group {
        total.latencies += partial.latencies
        total.readings += partial.readings
      }
      return total
    }
  }
}
