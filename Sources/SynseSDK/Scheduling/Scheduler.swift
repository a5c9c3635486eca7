import Foundation
import Logging
import ServiceLifecycle
import SynseSupport
import Tracing

/// The read and write loops (docs/plugin-protocol.md §4.1 and §4.5).
struct Scheduler: Sendable {
  let config: PluginConfig
  let devices: DeviceManager
  let handlers: [String: DeviceHandler]
  let readings: ReadingState
  let transactions: TransactionStore
  let writeQueue: WriteQueue
  let logger: Logger
  private let limiter: RateLimiter
  private let serialLock: AsyncLock?
  private let lanes = WriteLanes()
  let metrics: PluginMetrics?
  /// When the last read pass ended: the watchdog pings only while passes keep ending.
  let lastPass = Heartbeat()

  init(
    config: PluginConfig, devices: DeviceManager, handlers: [String: DeviceHandler], readings: ReadingState,
    transactions: TransactionStore, writeQueue: WriteQueue, metrics: PluginMetrics? = nil, logger: Logger
  ) {
    self.metrics = metrics
    self.config = config
    self.devices = devices
    self.handlers = handlers
    self.readings = readings
    self.transactions = transactions
    self.writeQueue = writeQueue
    self.logger = logger
    self.limiter = RateLimiter(rate: config.limiterRate, burst: config.limiterBurst)
    self.serialLock = config.mode == .serial ? AsyncLock() : nil
  }

  var readLoopEnabled: Bool { !config.read.disable && handlers.values.contains { $0.canRead } }
  var writeLoopEnabled: Bool { !config.write.disable && handlers.values.contains { $0.canWrite } }

  /// Runs both loops until graceful shutdown or cancellation; queued writes are still
  /// carried out before it returns, so every accepted write reaches a final status.
  func run() async {
    await withDiscardingTaskGroup { group in
      if readLoopEnabled {
        group.addTask { await readLoop() }
      }
      if writeLoopEnabled {
        group.addTask { await writeLoop() }
      }
    }
  }

  // MARK: Reading

  private func readLoop() async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
      let start = ContinuousClock.now
      await readPass()
      metrics?.readPass(ContinuousClock.now - start)
      lastPass.beat()
      // Cut short at graceful shutdown: a 10 s read interval held SIGTERM up for up to 10 s.
      try? await cancelWhenGracefulShutdown { try await Task.sleep(for: config.read.interval) }
    }
  }

  /// Reads every readable device once: `Read` per device, `BulkRead` per handler.
  ///
  /// The reads run below the priority of serving RPCs: a pass enqueues one task per device at
  /// once (1,000 for 1,000 devices), and a `ReadStream` writer woken by the first reading was
  /// queued behind all of them, so a reading left the plugin only after the whole pass.
  func readPass() async {
    var byHandler: [String: [Device]] = [:]
    for device in devices.devices { byHandler[device.handler, default: []].append(device) }
    await withDiscardingTaskGroup { group in
      for (name, handlerDevices) in byHandler {
        guard let handler = handlers[name] else { continue }
        if let read = handler.read {
          for device in handlerDevices {
            group.addTask(priority: .utility) { await readOne(device, read) }
          }
        } else if let bulkRead = handler.bulkRead {
          group.addTask(priority: .utility) { await readBulk(handlerDevices, bulkRead) }
        }
      }
    }
  }

  private func readOne(_ device: Device, _ read: DeviceHandler.Read) async {
    do {
      try await limiter.wait()
      let result = try await serialized { try await read(device) }
      store(device, result)
    } catch {
      logger.warning("failed to read device", metadata: ["device": "\(device.id)", "type": "\(device.type)", "error": "\(error)"])
    }
    if config.read.delay > .zero { try? await Task.sleep(for: config.read.delay) }
  }

  private func readBulk(_ group: [Device], _ bulkRead: DeviceHandler.BulkRead) async {
    do {
      try await limiter.wait()
      let results = try await serialized { try await bulkRead(group) }
      for (device, result) in results { store(device, result) }
    } catch {
      logger.warning("failed to bulk read devices", metadata: ["handler": "\(group.first?.handler ?? "")", "error": "\(error)"])
    }
    if config.read.delay > .zero { try? await Task.sleep(for: config.read.delay) }
  }

  /// Applies transforms to each valued reading and merges the device context (device keys
  /// win); a transform error drops the whole set for this pass.
  private func store(_ device: Device, _ result: [Reading]) {
    var finalized: [Reading] = []
    finalized.reserveCapacity(result.count)
    for var reading in result {
      if reading.value != .none {
        for transform in device.transforms {
          do {
            reading.value = try transform.apply(reading.value)
          } catch {
            logger.warning("transform failed; dropping readings", metadata: ["device": "\(device.id)", "transform": "\(transform.name)", "error": "\(error)"])
            return
          }
        }
      }
      if !device.context.isEmpty { reading.context.merge(device.context) { _, deviceValue in deviceValue } }
      finalized.append(reading)
    }
    readings.store(.init(device: device, readings: finalized))
  }

  // MARK: Writing

  /// Takes queued writes every write interval and runs them in lanes (``WriteLanes``): a slow
  /// write (a power cycle confirmed over minutes) holds back only later writes to its own
  /// device, never another device's, nor the taking of new writes.
  private func writeLoop() async {
    await withDiscardingTaskGroup { group in
      while !Task.isShuttingDownGracefully && !Task.isCancelled {
        dispatch(into: &group)
        try? await Task.sleep(for: config.write.interval)
      }
      // Drain what was accepted before shutdown so every transaction ends DONE or ERROR, for
      // at most `shutdownGrace`: a write confirmed over minutes must not hold the stop past
      // what systemd or a container runtime waits before killing the process. The gRPC server
      // stops after this loop, so callers can still ask how their writes ended.
      writeQueue.close()
      guard writeQueue.count > 0 || lanes.count > 0 else { return }
      logger.info(
        "finishing accepted writes before stopping",
        metadata: ["queued": "\(writeQueue.count)", "in_lanes": "\(lanes.count)", "within": "\(GoDuration.format(Self.shutdownGrace))"])
      let deadline = ContinuousClock.now + Self.shutdownGrace
      while !Task.isCancelled && (writeQueue.count > 0 || lanes.count > 0) && ContinuousClock.now < deadline {
        dispatch(into: &group)
        try? await Task.sleep(for: min(config.write.interval, .milliseconds(50)))
      }
      let unfinished = lanes.count + writeQueue.count
      guard unfinished > 0 else { return }
      logger.warning("stopping with writes unfinished: they end ERROR", metadata: ["writes": "\(unfinished)"])
      for item in writeQueue.take(upTo: .max) { transactions.update(item.transactionID, to: .error, message: Self.stoppedMessage) }
      group.cancelAll()
    }
  }

  /// How long a stopping plugin keeps carrying out accepted writes (docker waits 10 s).
  static let shutdownGrace: Duration = .seconds(5)
  static let stoppedMessage = "the plugin stopped before the write finished"

  /// Runs what is queued now, and waits until it has finished.
  func writePass() async {
    await withDiscardingTaskGroup { group in dispatch(into: &group) }
  }

  /// Takes queued writes while fewer than `batchSize` are in lanes, and starts a lane for each
  /// device that has none; a device's later writes wait in its lane, in the order accepted.
  /// (Run together, `off` then `on` to one LED had `on` land first and `off` wait out its
  /// timeout for a state that never came.)
  private func dispatch(into group: inout DiscardingTaskGroup) {
    let room = config.write.batchSize - lanes.count
    guard room > 0 else { return }
    for item in writeQueue.take(upTo: room) where lanes.admit(item) {
      group.addTask {
        var next: WriteQueue.Item? = item
        while let current = next {
          await perform(current)
          next = lanes.finished(current)
        }
      }
    }
  }

  private func perform(_ item: WriteQueue.Item) async {
    if Task.isCancelled {
      transactions.update(item.transactionID, to: .error, message: Self.stoppedMessage)
      return
    }
    guard let handler = handlers[item.device.handler], let write = handler.write else {
      transactions.update(item.transactionID, to: .error, message: "writing is not enabled for the device")
      return
    }
    try? await limiter.wait()
    await serialized {
      transactions.update(item.transactionID, to: .writing)
      if !handler.actions.isEmpty && !handler.actions.contains(item.write.action) {
        transactions.update(
          item.transactionID, to: .error,
          message: "rpc error: code = InvalidArgument desc = unsupported write action '\(item.write.action)' for device \(item.device.id)")
        return
      }
      let outcome = await withSpan("write \(item.device.handler)", context: item.context ?? .topLevel, ofKind: .internal) { span in
        span.attributes["synse.device"] = item.device.id
        span.attributes["synse.handler"] = item.device.handler
        span.attributes["synse.write.action"] = item.write.action
        span.attributes["synse.transaction"] = item.transactionID
        let outcome = await Self.run(write, device: item.device, data: item.write, timeout: item.device.writeTimeout)
        if case .done = outcome {} else { span.setStatus(SpanStatus(code: .error)) }
        return outcome
      }
      switch outcome {
      case .done: transactions.update(item.transactionID, to: .done)
      case .failed(let message): transactions.update(item.transactionID, to: .error, message: message)
      case .timedOut where Task.isCancelled:
        transactions.update(item.transactionID, to: .error, message: Self.stoppedMessage)
      case .timedOut(let detail):
        let message = "device write timed out after \(GoDuration.format(item.device.writeTimeout))" + (detail.map { ": \($0)" } ?? "")
        transactions.update(item.transactionID, to: .error, message: message)
      }
    }
    if config.write.delay > .zero { try? await Task.sleep(for: config.write.delay) }
  }

  private enum WriteOutcome: Sendable {
    /// `timedOut` carries what the cancelled handler threw, if more than a CancellationError
    /// (how far it got: "PowerState still reads Off").
    case done, failed(String), timedOut(String?)
  }

  /// Runs the handler against the device's write timeout; whichever finishes first decides.
  private static func run(_ write: @escaping DeviceHandler.Write, device: Device, data: WriteData, timeout: Duration) async -> WriteOutcome {
    await withTaskGroup(of: WriteOutcome.self) { group in
      group.addTask {
        do {
          try await write(device, data)
          return .done
        } catch is CancellationError {
          return .timedOut(nil)
        } catch {
          return Task.isCancelled ? .timedOut("\(error)") : .failed("\(error)")
        }
      }
      group.addTask {
        try? await Task.sleep(for: timeout)
        return .timedOut(nil)
      }
      let first = await group.next() ?? .timedOut(nil)
      group.cancelAll()
      // The group waits for the cancelled handler anyway; what it says on the way out is the detail.
      if case .timedOut = first, let last = await group.next(), case .timedOut(let detail?) = last { return .timedOut(detail) }
      return first
    }
  }

  private func serialized<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
    if let serialLock { return try await serialLock.withLock(body) }
    return try await body()
  }
}

import Synchronization
import Tracing

/// A monotonic timestamp of the last sign of life.
final class Heartbeat: Sendable {
  private let uptime = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)

  func beat() { uptime.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }

  func isRecent(within window: Duration) -> Bool {
    let age = DispatchTime.now().uptimeNanoseconds &- uptime.load(ordering: .relaxed)
    return Duration.nanoseconds(Int64(clamping: age)) <= window
  }
}
