import Foundation
import GRPCCore
internal import SynseProtocol

/// The RPCs the server makes to one plugin, in server model types. Errors are
/// ``PluginCallError``s so that the registry can tell a plugin's own error from a lost plugin.
public protocol PluginClient: Sendable {
  func metadata() async throws(PluginCallError) -> PluginMetadataRecord
  func version() async throws(PluginCallError) -> PluginVersionRecord
  func test() async throws(PluginCallError) -> Bool
  func health() async throws(PluginCallError) -> PluginHealthRecord
  func devices() async throws(PluginCallError) -> [DeviceRecord]
  func read(deviceID: String, tags: [String]) async throws(PluginCallError) -> [ReadingRecord]
  func readCache(start: String, end: String, _ each: @escaping @Sendable (ReadingRecord) async throws -> Void) async throws(PluginCallError)
  /// Forwards every reading the plugin pushes for the selectors until cancelled (no deadline).
  func readStream(ids: [String], tagGroups: [[String]], _ each: @escaping @Sendable (ReadingRecord) async throws -> Void) async throws(PluginCallError)
  func writeAsync(deviceID: String, items: [WriteItem]) async throws(PluginCallError) -> [WriteTransactionRecord]
  func transaction(id: String) async throws(PluginCallError) -> TransactionRecord
  /// Keeps the connection running until shutdown.
  func runConnections() async throws
  func beginGracefulShutdown()
  /// Tells one client (one connection) from another talking to the same plugin.
  var identity: ObjectIdentifier { get }
}


/// A failed plugin call; `isPluginLevel` means the plugin answered (NOT_FOUND,
/// INVALID_ARGUMENT, UNKNOWN, RESOURCE_EXHAUSTED) and so is still reachable (docs/api-v3.md
/// §8.6); `isBusy` that it refused for now (its write queue is full).
public struct PluginCallError: Error, Sendable, CustomStringConvertible {
  public let isPluginLevel: Bool
  public let isBusy: Bool
  /// The plugin's own message, when it answered.
  public let message: String?
  public let description: String

  init(_ error: any Error) {
    if let rpc = error as? RPCError {
      isPluginLevel = [.notFound, .invalidArgument, .unknown, .resourceExhausted].contains(rpc.code)
      isBusy = rpc.code == .resourceExhausted
      message = isPluginLevel ? rpc.message : nil
      // The cause chain says why a connection failed (refused, TLS certificate rejected…).
      var text = "\(rpc.code): \(rpc.message)"
      var cause = rpc.cause
      while let next = cause {
        if let inner = next as? RPCError {
          text += " (\(inner.message))"
          cause = inner.cause
        } else {
          text += " (\(next))"
          cause = nil
        }
      }
      description = text
    } else {
      isPluginLevel = false
      isBusy = false
      message = nil
      description = "\(error)"
    }
  }
}

/// ``PluginClient`` over any grpc-swift client transport (HTTP/2 on TCP or a Unix socket,
/// or in-process), with `grpc.timeout` on every call.
struct GRPCPluginClient<Transport: ClientTransport>: PluginClient {
  let grpc: GRPCClient<Transport>
  let stub: Synse_V3Plugin.Client<Transport>
  let options: CallOptions
  let counter: StreamedMessageCounter?

  init(transport: Transport, timeout: Duration, interceptors: [any ClientInterceptor] = [], counter: StreamedMessageCounter? = nil) {
    grpc = GRPCClient(transport: transport, interceptors: interceptors)
    self.counter = counter
    stub = Synse_V3Plugin.Client(wrapping: grpc)
    var options = CallOptions.defaults
    options.timeout = timeout
    self.options = options
  }

  func runConnections() async throws { try await grpc.runConnections() }
  func beginGracefulShutdown() { grpc.beginGracefulShutdown() }
  var identity: ObjectIdentifier { ObjectIdentifier(grpc) }

  private func call<T>(_ body: () async throws -> T) async throws(PluginCallError) -> T {
    do {
      return try await body()
    } catch {
      throw PluginCallError(error)
    }
  }

  /// Hands `each` every message of a streamed response, counting them for metrics.
  private func forEach<Message>(
    _ messages: RPCAsyncSequence<Message, any Error>, of method: MethodDescriptor, _ each: (Message) async throws -> Void
  ) async throws {
    var uncounted = 0
    defer { counter?.received(uncounted, method: method.method) }
    for try await message in messages {
      uncounted += 1
      if uncounted == StreamedMessageCounter.batch {
        counter?.received(uncounted, method: method.method)
        uncounted = 0
      }
      try await each(message)
    }
  }

  func metadata() async throws(PluginCallError) -> PluginMetadataRecord {
    let message = try await call { try await stub.metadata(Synse_Empty(), options: options) }
    return PluginMetadataRecord(
      name: message.name, maintainer: message.maintainer, tag: message.tag, description: message.description_p,
      vcs: message.vcs, id: message.id)
  }

  func version() async throws(PluginCallError) -> PluginVersionRecord {
    let v = try await call { try await stub.version(Synse_Empty(), options: options) }
    return PluginVersionRecord(
      pluginVersion: v.pluginVersion, sdkVersion: v.sdkVersion, buildDate: v.buildDate, gitCommit: v.gitCommit,
      gitTag: v.gitTag, arch: v.arch, os: v.os)
  }

  func test() async throws(PluginCallError) -> Bool {
    try await call { try await stub.test(Synse_Empty(), options: options).ok }
  }

  func health() async throws(PluginCallError) -> PluginHealthRecord {
    let health = try await call { try await stub.health(Synse_Empty(), options: options) }
    return PluginHealthRecord(
      timestamp: health.timestamp, status: health.status.name,
      checks: health.checks.map {
        .init(name: $0.name, status: $0.status.name, message: $0.message, timestamp: $0.timestamp, type: $0.type)
      })
  }

  func devices() async throws(PluginCallError) -> [DeviceRecord] {
    try await call {
      try await stub.devices(Synse_V3DeviceSelector(), options: options) { response in
        var devices: [DeviceRecord] = []
        try await forEach(response.messages, of: Synse_V3Plugin.Method.Devices.descriptor) { devices.append(DeviceRecord($0)) }
        return devices
      }
    }
  }

  func read(deviceID: String, tags: [String]) async throws(PluginCallError) -> [ReadingRecord] {
    var request = Synse_V3ReadRequest()
    request.selector = Synse_V3DeviceSelector()
    request.selector.id = deviceID
    request.selector.tags = tags.map(Synse_V3Tag.init(parsing:))
    return try await call {
      try await stub.read(request, options: options) { response in
        var readings: [ReadingRecord] = []
        try await forEach(response.messages, of: Synse_V3Plugin.Method.Read.descriptor) { readings.append(ReadingRecord($0)) }
        return readings
      }
    }
  }

  func readCache(start: String, end: String, _ each: @escaping @Sendable (ReadingRecord) async throws -> Void) async throws(PluginCallError) {
    var bounds = Synse_V3Bounds()
    bounds.start = start
    bounds.end = end
    try await call {
      try await stub.readCache(bounds, options: options) { response in
        try await forEach(response.messages, of: Synse_V3Plugin.Method.ReadCache.descriptor) { try await each(ReadingRecord($0)) }
      }
    }
  }

  func readStream(ids: [String], tagGroups: [[String]], _ each: @escaping @Sendable (ReadingRecord) async throws -> Void) async throws(PluginCallError) {
    var request = Synse_V3StreamRequest()
    request.selectors = ids.map { id in
      var selector = Synse_V3DeviceSelector()
      selector.id = id
      return selector
    } + tagGroups.map { group in
      var selector = Synse_V3DeviceSelector()
      selector.tags = group.map(Synse_V3Tag.init(parsing:))
      return selector
    }
    try await call {
      try await stub.readStream(request, options: .defaults) { response in
        try await forEach(response.messages, of: Synse_V3Plugin.Method.ReadStream.descriptor) { try await each(ReadingRecord($0)) }
      }
    }
  }

  func writeAsync(deviceID: String, items: [WriteItem]) async throws(PluginCallError) -> [WriteTransactionRecord] {
    let payload = Self.payload(deviceID, items)
    return try await call {
      try await stub.writeAsync(payload, options: options) { response in
        var result: [WriteTransactionRecord] = []
        try await forEach(response.messages, of: Synse_V3Plugin.Method.WriteAsync.descriptor) { transaction in
          result.append(WriteTransactionRecord(
            id: transaction.id, device: transaction.device,
            context: transaction.hasContext ? WriteContext(transaction.context) : nil, timeout: transaction.timeout))
        }
        return result
      }
    }
  }

  func transaction(id: String) async throws(PluginCallError) -> TransactionRecord {
    var selector = Synse_V3TransactionSelector()
    selector.id = id
    return TransactionRecord(try await call { try await stub.transaction(selector, options: options) })
  }

  private static func payload(_ deviceID: String, _ items: [WriteItem]) -> Synse_V3WritePayload {
    var payload = Synse_V3WritePayload()
    payload.selector = Synse_V3DeviceSelector()
    payload.selector.id = deviceID
    payload.data = items.map { item in
      var data = Synse_V3WriteData()
      data.action = item.action
      data.data = Data(item.data.utf8)
      data.transaction = item.transaction
      return data
    }
    return payload
  }
}
