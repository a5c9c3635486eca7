public import CoreMetrics
import Foundation
import ProcessMetrics
import SynseSupport

/// A swift-metrics backend that pushes every update to a StatsD/DogStatsD daemon over UDP
/// (`metrics.statsd.address`), for sites that run statsd instead of Prometheus. Keys are
/// `<prefix>.<metric>`, dimensions go out as DogStatsD tags (`|#k:v`). Sending never blocks
/// and never fails a request: a lost datagram is a lost sample, as with any StatsD client.
public final class StatsDMetricsFactory: MetricsFactory, Sendable {
  let prefix: String
  private let socket: Int32
  private let destination: sockaddr_storage
  private let destinationLength: socklen_t

  /// `address` is a ``HostPort`` (`host:port`, `[v6]:port`; an empty host is 127.0.0.1); nil
  /// when it is not one or cannot be resolved.
  public init?(address: String, prefix: String?) {
    guard let parsed = try? HostPort(parsing: address) else { return nil }
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
    var result: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(parsed.host(or: "127.0.0.1"), String(parsed.port), &hints, &result) == 0, let info = result else { return nil }
    defer { freeaddrinfo(result) }
    var storage = sockaddr_storage()
    memcpy(&storage, info.pointee.ai_addr, Int(info.pointee.ai_addrlen))
    destination = storage
    destinationLength = info.pointee.ai_addrlen
    socket = Foundation.socket(info.pointee.ai_family, Int32(SOCK_DGRAM.rawValue), 0)
    guard socket >= 0 else { return nil }
    _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    self.prefix = prefix ?? "synse.\(ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost")"
  }

  deinit { close(socket) }

  func send(_ label: String, _ value: String, _ type: String, _ dimensions: [(String, String)]) {
    var line = "\(prefix).\(label):\(value)|\(type)"
    if !dimensions.isEmpty {
      line += "|#" + dimensions.map { "\($0.0):\($0.1.replacingOccurrences(of: ",", with: "_").replacingOccurrences(of: "|", with: "_"))" }.joined(separator: ",")
    }
    var address = destination
    _ = line.withCString { text in
      withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket, text, strlen(text), 0, $0, destinationLength) }
      }
    }
  }

  public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
    Handler(self, label, dimensions)
  }
  public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
    Handler(self, label, dimensions)
  }
  public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler { GaugeHandler(self, label, dimensions) }
  public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
    Handler(self, label, dimensions, histogram: aggregate)
  }
  public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { Handler(self, label, dimensions) }
  public func destroyCounter(_ handler: any CounterHandler) {}
  public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
  public func destroyMeter(_ handler: any MeterHandler) {}
  public func destroyRecorder(_ handler: any RecorderHandler) {}
  public func destroyTimer(_ handler: any TimerHandler) {}

  /// One metric: every update becomes one datagram.
  final class Handler: CounterHandler, FloatingPointCounterHandler, RecorderHandler, TimerHandler, Sendable {
    let factory: StatsDMetricsFactory
    let label: String
    let dimensions: [(String, String)]
    let histogram: Bool

    init(_ factory: StatsDMetricsFactory, _ label: String, _ dimensions: [(String, String)], histogram: Bool = false) {
      self.factory = factory
      self.label = label
      self.dimensions = dimensions
      self.histogram = histogram
    }

    func increment(by amount: Int64) { factory.send(label, String(amount), "c", dimensions) }
    func increment(by amount: Double) { factory.send(label, ProcessMetrics.format(amount), "c", dimensions) }
    func reset() {}
    func record(_ value: Int64) { factory.send(label, String(value), histogram ? "h" : "g", dimensions) }
    func record(_ value: Double) { factory.send(label, ProcessMetrics.format(value), histogram ? "h" : "g", dimensions) }
    func recordNanoseconds(_ duration: Int64) { factory.send(label, ProcessMetrics.format(Double(duration) / 1e6), "ms", dimensions) }
  }

  /// A gauge moved by deltas (`+1|g`, `-1|g`) or set outright.
  final class GaugeHandler: MeterHandler, Sendable {
    let factory: StatsDMetricsFactory
    let label: String
    let dimensions: [(String, String)]

    init(_ factory: StatsDMetricsFactory, _ label: String, _ dimensions: [(String, String)]) {
      self.factory = factory
      self.label = label
      self.dimensions = dimensions
    }

    func set(_ value: Int64) { factory.send(label, String(value), "g", dimensions) }
    func set(_ value: Double) { factory.send(label, ProcessMetrics.format(value), "g", dimensions) }
    func increment(by amount: Double) { factory.send(label, "+" + ProcessMetrics.format(amount), "g", dimensions) }
    func decrement(by amount: Double) { factory.send(label, "-" + ProcessMetrics.format(amount), "g", dimensions) }
  }
}
