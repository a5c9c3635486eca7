import Foundation
import GRPCCore
import Tracing
import Logging
import SynseProtocol
import SynseSupport

/// The `synse.V3Plugin` gRPC service: every RPC answers from the plugin's state.
struct PluginService: Synse_V3Plugin.SimpleServiceProtocol {
  let metadata: PluginMetadata
  let version: PluginVersion
  let pluginID: String
  let devices: DeviceManager
  let handlers: [String: DeviceHandler]
  let readings: ReadingState
  let transactions: TransactionStore
  let writeQueue: WriteQueue
  let health: HealthMonitor
  let writingEnabled: Bool
  let metrics: PluginMetrics?
  let logger: Logger
  /// `ReadStream` calls in progress: logged as each opens and ends, so an operator (and the
  /// tests) can see that a client's disconnect really ends its stream here.
  let openStreams = StreamCounter()

  static let noDeviceMessage = "no device found for specified selector"

  func devices(request: Synse_V3DeviceSelector, response: RPCWriter<Synse_V3Device>, context: ServerContext) async throws {
    let selected = try select(id: request.id, tags: request.tags)
    try await response.write(contentsOf: selected.map { device in
      device.message(pluginID: pluginID, handler: handlers[device.handler], currentReadings: readings.current(for: device.id))
    })
  }

  func health(request: Synse_Empty, context: ServerContext) async throws -> Synse_V3Health {
    var message = Synse_V3Health()
    message.timestamp = Timestamp.format(Date())
    let results = health.current
    message.status = results.allSatisfy(\.ok) ? .ok : .failing
    message.checks = results.map { result in
      var check = Synse_V3HealthCheck()
      check.name = result.name
      check.status = result.ok ? .ok : .failing
      check.message = result.message
      check.timestamp = result.timestamp.map(Timestamp.format) ?? ""
      check.type = "periodic"
      return check
    }
    return message
  }

  func metadata(request: Synse_Empty, context: ServerContext) async throws -> Synse_V3Metadata {
    var message = Synse_V3Metadata()
    message.name = metadata.name
    message.maintainer = metadata.maintainer
    message.tag = metadata.tag
    message.description_p = metadata.description
    message.vcs = metadata.vcs
    message.id = pluginID
    return message
  }

  /// Unlike the Go SDK, a request without a selector reads every device instead of failing.
  func read(request: Synse_V3ReadRequest, response: RPCWriter<Synse_V3Reading>, context: ServerContext) async throws {
    let selected = try select(id: request.selector.id, tags: request.selector.tags)
    // The handler's part of the call: the reading it took last (the read loop's), served now.
    let messages = withSpan(selected.count == 1 ? "read \(selected[0].handler)" : "read", ofKind: .internal) { span in
      let messages = readings.currentMessages(for: selected)
      if selected.count == 1 {
        span.attributes["synse.device"] = selected[0].id
        span.attributes["synse.handler"] = selected[0].handler
        if let taken = messages.first?.timestamp { span.attributes["synse.reading.timestamp"] = taken }
      }
      span.attributes["synse.devices"] = selected.count
      span.attributes["synse.readings"] = messages.count
      return messages
    }
    try await response.write(contentsOf: messages)
  }

  func readCache(request: Synse_V3Bounds, response: RPCWriter<Synse_V3Reading>, context: ServerContext) async throws {
    var start: Date?
    var end: Date?
    if !request.start.isEmpty {
      guard let date = Timestamp.parse(request.start) else { return }
      start = date
    }
    if !request.end.isEmpty {
      guard let date = Timestamp.parse(request.end) else { return }
      end = date
    }
    let batches = readings.cached(start: start, end: end)
    try await response.write(contentsOf: batches.flatMap(\.messages))
  }

  func readStream(request: Synse_V3StreamRequest, response: RPCWriter<Synse_V3Reading>, context: ServerContext) async throws {
    // No selector: every device, including those a rescan registers while the stream is open
    // (a fixed set left them out until the stream was opened again), and none yet is no error
    // (a BMC plugin has no devices until its first poll).
    var ids: Set<String>? = nil
    if !request.selectors.isEmpty {
      var selected: Set<String> = []
      for selector in request.selectors {
        selected.formUnion(try select(id: selector.id, tags: selector.tags).map(\.id))
      }
      guard !selected.isEmpty else {
        throw RPCError(code: .unknown, message: "specified selector does not match any known devices")
      }
      ids = selected
    }
    let deviceCount = ids?.count ?? devices.devices.count
    let opened = openStreams.add(1)
    metrics?.openReadStreams(opened)
    logger.info("read stream opened", metadata: ["devices": "\(ids == nil ? "all (\(deviceCount) now)" : "\(deviceCount)")", "open_streams": "\(opened)"])
    defer {
      let open = openStreams.add(-1)
      metrics?.openReadStreams(open)
      logger.info("read stream closed", metadata: ["open_streams": "\(open)"])
    }
    let subscription = readings.subscribe(to: ids, deviceCount: deviceCount)
    defer { subscription.finish() }
    while let batches = await subscription.next() {
      try await response.write(contentsOf: batches.flatMap(\.messages))
    }
  }

  func test(request: Synse_Empty, context: ServerContext) async throws -> Synse_V3TestStatus {
    var status = Synse_V3TestStatus()
    status.ok = true
    return status
  }

  func transaction(request: Synse_V3TransactionSelector, context: ServerContext) async throws -> Synse_V3TransactionStatus {
    guard let transaction = transactions.transaction(request.id) else {
      throw RPCError(code: .notFound, message: "transaction not found")
    }
    return transaction.statusMessage
  }

  func transactions(request: Synse_Empty, response: RPCWriter<Synse_V3TransactionStatus>, context: ServerContext) async throws {
    try await response.write(contentsOf: transactions.all().map(\.statusMessage))
  }

  func version(request: Synse_Empty, context: ServerContext) async throws -> Synse_V3Version {
    version.message
  }

  func writeAsync(request: Synse_V3WritePayload, response: RPCWriter<Synse_V3WriteTransaction>, context: ServerContext) async throws {
    let accepted = try accept(request)
    try await response.write(contentsOf: accepted.map(\.writeTransactionMessage))
  }

  func writeSync(request: Synse_V3WritePayload, response: RPCWriter<Synse_V3TransactionStatus>, context: ServerContext) async throws {
    let accepted = try accept(request)
    for transaction in accepted { await transactions.waitUntilFinal(transaction.id) }
    try await response.write(contentsOf: accepted.map { transactions.transaction($0.id)?.statusMessage ?? $0.statusMessage })
  }

  // MARK: Helpers

  private func select(id: String, tags: [Synse_V3Tag]) throws -> [Device] {
    switch devices.select(id: id, tags: tags.map(Tag.init)) {
    case .devices(let selected): return selected
    case .notFound: throw RPCError(code: .notFound, message: Self.noDeviceMessage)
    }
  }

  /// Validates a write and queues one transaction per item (docs/plugin-protocol.md §4.5).
  private func accept(_ request: Synse_V3WritePayload) throws -> [Transaction] {
    guard !request.selector.id.isEmpty else {
      throw RPCError(code: .invalidArgument, message: "selector must specify device id")
    }
    guard let device = devices.device(idOrAlias: request.selector.id) else {
      throw RPCError(code: .notFound, message: Self.noDeviceMessage)
    }
    guard handlers[device.handler]?.canWrite == true else {
      throw RPCError(code: .unknown, message: "writing is not enabled for the device")
    }
    guard writingEnabled else {
      // The Go SDK would queue the write and never run it; refusing keeps nothing pending forever.
      throw RPCError(code: .unknown, message: "writing is disabled for the plugin (settings.write.disable)")
    }
    guard !request.data.isEmpty else {
      throw RPCError(code: .unknown, message: "cannot write nil data to device")
    }
    var accepted: [Transaction] = []
    for item in request.data {
      let write = WriteData(item)
      do {
        accepted.append(try transactions.create(deviceID: device.id, write: write, timeout: device.writeTimeout))
      } catch {
        for transaction in accepted { transactions.update(transaction.id, to: .error, message: "not queued: another write of the request was refused") }
        throw RPCError(code: .unknown, message: "transaction with ID \(write.transaction) already exists")
      }
    }
    // All or none: the caller gets no transaction IDs with the error, so none may run.
    let items = zip(accepted, request.data).map { WriteQueue.Item(transactionID: $0.id, device: device, write: WriteData($1)) }
    guard writeQueue.enqueue(contentsOf: items) else {
      if writeQueue.isClosed {
        for transaction in accepted { transactions.update(transaction.id, to: .error, message: "the plugin is stopping") }
        // RESOURCE_EXHAUSTED, as for a full queue: the plugin answered, and the caller may try
        // again (UNAVAILABLE would read as a lost connection, and its message would be dropped).
        throw RPCError(code: .resourceExhausted, message: "the plugin is stopping: it finishes the writes it took, and takes no more")
      }
      for transaction in accepted { transactions.update(transaction.id, to: .error, message: "write queue is full") }
      if items.count > writeQueue.capacity {
        throw RPCError(
          code: .resourceExhausted,
          message: "\(items.count) writes in one request, more than the write queue holds (\(writeQueue.capacity)); send at most \(writeQueue.capacity)")
      }
      throw RPCError(
        code: .resourceExhausted,
        message: "write queue is full (\(writeQueue.count) of \(writeQueue.capacity) places taken, \(items.count) asked for); try again later")
    }
    return accepted
  }
}

import Synchronization

final class StreamCounter: Sendable {
  private let count = Atomic(0)
  /// Adds `delta` and returns the new count.
  func add(_ delta: Int) -> Int { count.add(delta, ordering: .relaxed).newValue }
}
