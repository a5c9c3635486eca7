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
///     sse-latency-bench SERVER PLUGIN TAG SUBSCRIBERS SECONDS [--split]
///
/// The reference is a direct `ReadStream` of the plugin's devices with TAG, opened before the
/// server starts; it notes when each device's value changes. Every subscriber notes each chunk
/// with its arrival time and parses afterwards; an alarm event `(device, value)` is matched
/// with the change of that device to that value nearest in time, all on one clock. With
/// `--split` it also follows every device of the plugin, as the server's own stream does, and
/// prints how much of the latency is the plugin's all-devices stream lagging its tagged one.
@main
struct SSELatencyBench {
  static func main() async {
    do {
      try await measure()
    } catch {
      print("sse-latency-bench: \(error)")
      exit(1)
    }
  }

  static func measure() async throws {
    var arguments = Array(CommandLine.arguments.dropFirst())
    let split = arguments.last == "--split"
    if split { arguments.removeLast() }
    guard arguments.count == 5, let subscribers = Int(arguments[3]), let listen = Double(arguments[4]) else {
      print("usage: sse-latency-bench SERVER PLUGIN TAG SUBSCRIBERS SECONDS [--split]")
      exit(2)
    }
    let (server, plugin, tag) = (arguments[0], arguments[1], arguments[2])
    let start = ContinuousClock.now
    let now: @Sendable () -> Double = { SSELatencyBench.seconds(start.duration(to: .now)) }

    let reference = Task { try await referenceChanges(plugin: plugin, tag: tag, until: listen + 60, now: now) }
    // --split: also what the server's own stream sees, every device, so a tagged reading waits
    // behind the rest of the pass. Off by default: a third stream costs the plugin and this
    // client CPU in the same burst as the server's work, and so adds to what it measures.
    let everything = split ? Task { try await referenceChanges(plugin: plugin, tag: nil, until: listen + 60, now: now) } : nil
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
    everything?.cancel()
    let changes = try await reference.value
    let allChanges = try await everything?.value ?? [:]
    var transport: [Double] = []
    for (device, seen) in changes {
      for change in seen {
        let arrivals = (allChanges[device] ?? []).filter { $0.value == change.value }.map(\.time)
        if let arrival = arrivals.min(by: { abs(change.time - $0) < abs(change.time - $1) }) { transport.append((arrival - change.time) * 1000) }
      }
    }
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
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    print(String(format: "   this client's CPU: %.2f s over %.0f s", cpu, now()))
    guard split else { return }
    transport.sort()
    latencies = transport
    print(String(format: "   of which plugin reading -> the same reading on an all-devices ReadStream (as the server's): p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                 percentile(0.5), percentile(0.99), latencies.last ?? .nan))
  }

  /// Every change of value of the devices with `tag` (nil: of every device): device → [(time, value)].
  static func referenceChanges(plugin: String, tag: String?, until: Double, now: @escaping @Sendable () -> Double) async throws
    -> [String: [(time: Double, value: Double)]]
  {
    let parts = plugin.split(separator: ":")
    guard parts.count == 2, let port = Int(parts[1]) else { throw Failure("PLUGIN must be host:port") }
    var request = Synse_V3StreamRequest()
    var selector = Synse_V3DeviceSelector()
    if let tag {
      var wanted = Synse_V3Tag()
      let pieces = tag.split(separator: "/", maxSplits: 1)
      (wanted.namespace, wanted.label) = pieces.count == 2 ? (String(pieces[0]), String(pieces[1])) : ("default", tag)
      selector.tags = [wanted]
      request.selectors = [selector]
    }
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
  /// (events come every read pass, heartbeats every 15 s). Timed on the connection's event loop
  /// as the bytes are read (a ``ChunkTimer`` delegate): an async body sequence timed them when
  /// the subscriber's task next ran, and with 100 subscriber tasks queued on two cores that
  /// scheduling delay of the client's own was counted as the server's.
  static func subscribe(_ http: HTTPClient, _ url: String, until: Double, now: @escaping @Sendable () -> Double) async throws
    -> [(Double, ByteBuffer)]
  {
    let request = try HTTPClient.Request(url: url)
    let timer = ChunkTimer(until: until, now: now)
    let task = http.execute(request: request, delegate: timer, deadline: .now() + .seconds(Int64(until - now() + 60)))
    do {
      return try await task.futureResult.get()
    } catch is Done {
      // Read on the event loop that wrote them: a part arriving after the fail is not taken.
      return try await task.eventLoop.submit { timer.finished() }.get()
    }
  }

  final class ChunkTimer: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = [(Double, ByteBuffer)]
    let until: Double
    let now: @Sendable () -> Double
    // Touched only on the connection's event loop.
    var chunks: [(Double, ByteBuffer)] = []
    var done = false

    init(until: Double, now: @escaping @Sendable () -> Double) {
      self.until = until
      self.now = now
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
      if head.status != .ok { task.fail(reason: Failure("GET: \(head.status)")) }
      return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
      let time = now()
      guard !done else { return task.eventLoop.makeSucceededVoidFuture() }
      if time >= until {
        done = true
        task.fail(reason: Done())
      } else {
        chunks.append((time, buffer))
      }
      return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveError(task: HTTPClient.Task<Response>, _ error: any Error) {}

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response { finished() }

    func finished() -> Response {
      done = true
      return chunks
    }
  }

  /// Ends a subscriber's request once its time is up (its chunks are kept).
  struct Done: Error {}

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
