import AsyncHTTPClient
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOHTTP1
import Synchronization
import SynseProtocol

/// Benchmark client (not a test) for `Benchmarks/bench-health.sh`: the latency from a plugin's
/// reading to the SSE alarm event it causes, at every one of SUBSCRIBERS subscribers of a real
/// synse-server's `GET /v3/events`; the Swift twin of `sse-bench.py latency`, whose 100 Python
/// subscribers shared the two CPUs with the server and added their own scheduling delay.
///
///     sse-latency-bench SERVER PLUGIN TAG SUBSCRIBERS SECONDS
///
/// The reference is a direct `ReadStream` of the plugin's devices with TAG, opened before the
/// server starts; it notes when each device's value changes. Every subscriber notes each chunk
/// with its arrival time and parses afterwards; an alarm event `(device, value)` is matched
/// with the change of that device to that value nearest in time, all on one clock.
@main
struct SSELatencyBench {
  static func main() async throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard arguments.count == 5, let subscribers = Int(arguments[3]), let listen = Double(arguments[4]) else {
      print("usage: sse-latency-bench SERVER PLUGIN TAG SUBSCRIBERS SECONDS")
      exit(2)
    }
    let (server, plugin, tag) = (arguments[0], arguments[1], arguments[2])
    let start = ContinuousClock.now
    let now: @Sendable () -> Double = { SSELatencyBench.seconds(start.duration(to: .now)) }

    let reference = Task { try await referenceChanges(plugin: plugin, tag: tag, until: listen + 60, now: now) }
    try await waitForServer(server)
    try await Task.sleep(for: .seconds(3))  // the server's live stream open and primed
    let until = now() + listen
    // One connection per subscriber (AsyncHTTPClient's default allows 8 per host).
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = subscribers + 8
    let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    let url = server + "/v3/events?type=alarm.raised,alarm.cleared,alarm.changed"
    let streams = try await withThrowingTaskGroup(of: [(Double, ByteBuffer)].self) { group in
      for _ in 0..<subscribers {
        group.addTask { try await subscribe(http, url, until: until, now: now) }
      }
      var all: [[(Double, ByteBuffer)]] = []
      for try await stream in group { all.append(stream) }
      return all
    }
    try await http.shutdown()
    reference.cancel()
    let changes = try await reference.value
    var latencies: [Double] = []
    var unmatched = 0
    for chunks in streams {
      for (received, device, value) in parse(chunks) {
        guard let value, let seen = changes[device] else {
          unmatched += 1
          continue
        }
        let causes = seen.filter { $0.value == value }.map(\.time)
        guard let cause = causes.min(by: { abs(received - $0) < abs(received - $1) }) else {
          unmatched += 1
          continue
        }
        latencies.append((received - cause) * 1000)
      }
    }
    latencies.sort()
    func percentile(_ p: Double) -> Double { latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(p * Double(latencies.count)))] }
    print(String(format: "   %d subscribers, %d alarm events (%.0f each), %d without a matching plugin reading", subscribers,
                 latencies.count + unmatched, Double(latencies.count + unmatched) / Double(max(1, subscribers)), unmatched))
    print(String(format: "   plugin reading -> SSE event (Swift client): p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                 percentile(0.5), percentile(0.99), latencies.last ?? .nan))
  }

  /// Every change of value of the devices with `tag`: device → [(time, value)].
  static func referenceChanges(plugin: String, tag: String, until: Double, now: @escaping @Sendable () -> Double) async throws
    -> [String: [(time: Double, value: Double)]]
  {
    let parts = plugin.split(separator: ":")
    guard parts.count == 2, let port = Int(parts[1]) else { throw Failure("PLUGIN must be host:port") }
    var request = Synse_V3StreamRequest()
    var selector = Synse_V3DeviceSelector()
    var wanted = Synse_V3Tag()
    let pieces = tag.split(separator: "/", maxSplits: 1)
    (wanted.namespace, wanted.label) = pieces.count == 2 ? (String(pieces[0]), String(pieces[1])) : ("default", tag)
    selector.tags = [wanted]
    request.selectors = [selector]
    return try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: String(parts[0]), port: port), transportSecurity: .plaintext)
    ) { grpc in
      let client = Synse_V3Plugin.Client(wrapping: grpc)
      let changes = Mutex<[String: [(time: Double, value: Double)]]>([:])
      do {
        try await client.readStream(request) { response in
          for try await reading in response.messages {
            let time = now()
            guard let value = number(reading) else { continue }
            changes.withLock { changes in
              if changes[reading.id]?.last?.value != value { changes[reading.id, default: []].append((time, value)) }
            }
            if time > until || Task.isCancelled { break }
          }
        }
      } catch where Task.isCancelled {}
      return changes.withLock { $0 }
    }
  }

  static func number(_ reading: Synse_V3Reading) -> Double? {
    switch reading.value {
    case .float64Value(let v): v
    case .float32Value(let v): Double(v)
    case .int64Value(let v): Double(v)
    case .int32Value(let v): Double(v)
    case .uint64Value(let v): Double(v)
    case .uint32Value(let v): Double(v)
    default: nil
    }
  }

  /// One subscriber: each chunk with its arrival time, until the first chunk after `until`
  /// (events come every read pass, heartbeats every 15 s).
  static func subscribe(_ http: HTTPClient, _ url: String, until: Double, now: @escaping @Sendable () -> Double) async throws
    -> [(Double, ByteBuffer)]
  {
    var chunks: [(Double, ByteBuffer)] = []
    let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(Int64(until - now() + 60)))
    guard response.status == .ok else { throw Failure("GET \(url): \(response.status)") }
    for try await chunk in response.body {
      let time = now()
      if time >= until { break }
      chunks.append((time, chunk))
    }
    return chunks
  }

  /// (arrival, device, value) of each alarm event, timed by the chunk that completed it.
  static func parse(_ chunks: [(Double, ByteBuffer)]) -> [(Double, String, Double?)] {
    var events: [(Double, String, Double?)] = []
    var pending = ""
    for (time, chunk) in chunks {
      pending += String(buffer: chunk)
      var lines = pending.split(separator: "\n", omittingEmptySubsequences: false)
      pending = String(lines.removeLast())
      for line in lines where line.hasPrefix("data: ") {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any],
          let device = object["device"] as? String
        else { continue }
        events.append((time, device, (object["value"] as? NSNumber)?.doubleValue))
      }
    }
    return events
  }

  static func waitForServer(_ server: String) async throws {
    for _ in 0..<600 {
      if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: server + "/v3/scan"), timeout: .seconds(5)),
        response.status == .ok, let body = try? await response.body.collect(upTo: 64 << 20), body.readableBytes > 2
      {
        return
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw Failure("no server at \(server) within 120 s")
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }
}
