import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import SynseProtocol
@testable import SynseSDK

/// Serves a plugin on a real socket for the duration of `body`, with a real gRPC client.
func withRunningPlugin<T: Sendable>(
  _ plugin: Plugin,
  config: PluginConfig = .fast,
  deviceYAML: String,
  unixSocket: Bool = false,
  _ body: @Sendable (Synse_V3Plugin.Client<HTTP2ClientTransport.Posix>, PluginRuntime) async throws -> T
) async throws -> T {
  let logger = Logger(label: "test")
  let deviceConfig = try DeviceConfig(tree: YAMLReader.parse(deviceYAML, file: "test.yaml"), file: "test.yaml")
  let runtime = try plugin.build(config: config, deviceConfig: deviceConfig, environment: [:], logger: logger)
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("synse-test-\(UUID().uuidString.prefix(8))")
  let address: PluginAddress = unixSocket ? .unix(path: directory.appendingPathComponent("plugin.sock").path) : .tcp(host: "127.0.0.1", port: 0)
  defer { try? FileManager.default.removeItem(at: directory) }

  let (bound, boundContinuation) = AsyncStream<String>.makeStream()
  return try await withThrowingTaskGroup(of: T?.self) { group in
    group.addTask {
      try await runtime.serve(at: address) { boundContinuation.yield($0) }
      return nil
    }
    var iterator = bound.makeAsyncIterator()
    guard let listening = await iterator.next() else { throw TestFailure("plugin did not start") }
    let result: T
    switch address {
    case .unix(let path):
      result = try await connect(to: .unixDomainSocket(path: path), runtime: runtime, body)
    case .tcp:
      result = try await connect(to: .ipv4(address: "127.0.0.1", port: Int(listening.split(separator: ":").last!)!), runtime: runtime, body)
    }
    group.cancelAll()
    return result
  }
}

struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

private func connect<Target: ResolvableTarget, T: Sendable>(
  to target: Target, runtime: PluginRuntime,
  _ body: @Sendable (Synse_V3Plugin.Client<HTTP2ClientTransport.Posix>, PluginRuntime) async throws -> T
) async throws -> T {
  try await withGRPCClient(transport: .http2NIOPosix(target: target, transportSecurity: .plaintext)) { client in
    try await body(Synse_V3Plugin.Client(wrapping: client), runtime)
  }
}

extension PluginConfig {
  /// Short loop intervals so tests see readings and writes quickly; no health file.
  static var fast: PluginConfig {
    var config = PluginConfig()
    config.read.interval = .milliseconds(20)
    config.write.interval = .milliseconds(20)
    config.health.healthFile = ""
    config.network = .init(type: .tcp, address: "127.0.0.1:0")
    return config
  }
}

/// Polls `condition` until it holds or `timeout` passes; a signal, not an ordering sleep.
func eventually(timeout: Duration = .seconds(5), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if try await condition() { return true }
    try await Task.sleep(for: .milliseconds(10))
  }
  return false
}
