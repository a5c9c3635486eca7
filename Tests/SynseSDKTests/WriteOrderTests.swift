import Foundation
import Logging
import Synchronization
import Testing

@testable import SynseSDK

/// Writes to one device are applied in the order accepted, even within one write pass; other
/// devices' writes still run beside them.
/// A scheduler over `devices` with one handler `h`, its queue and transactions.
struct WriteLoopFixture {
  let transactions = TransactionStore(ttl: .seconds(60))
  let queue = WriteQueue(capacity: 16)
  let scheduler: Scheduler

  init(_ devices: [Device], write: @escaping DeviceHandler.Write) {
    var config = PluginConfig()
    config.write.interval = .milliseconds(10)
    scheduler = Scheduler(
      config: config, devices: DeviceManager(devices: devices), handlers: ["h": DeviceHandler(name: "h", write: write)],
      readings: ReadingState(cacheTTL: nil), transactions: transactions, writeQueue: queue,
      logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
  }

  /// Queues a `state` write of `text` to `device`; its transaction ID.
  func write(_ device: Device, _ text: String) throws -> String {
    let data = WriteData(action: "state", data: Array(text.utf8), transaction: "")
    let transaction = try transactions.create(deviceID: device.id, write: data, timeout: .seconds(300))
    #expect(queue.enqueue(WriteQueue.Item(transactionID: transaction.id, device: device, write: data)))
    return transaction.id
  }

  func status(_ id: String) -> Transaction.Status? { transactions.transaction(id)?.status }
}

struct WriteOrderTests {
  @Test(.timeLimit(.minutes(1))) func oneDevicesWritesRunInOrderOthersConcurrently() async throws {
    let applied = Mutex<[String]>([])
    let led = Device(id: "led", type: "led", handler: "h")
    let other = Device(id: "other", type: "led", handler: "h")
    // `off` is slow to apply: run concurrently, `on` would land first and be overwritten.
    let fixture = WriteLoopFixture([led, other]) { device, data in
      let text = String(decoding: data.data, as: UTF8.self)
      if text == "off" { try await Task.sleep(for: .milliseconds(300)) }
      applied.withLock { $0.append("\(device.id):\(text)") }
    }
    let ids = try [(led, "off"), (led, "on"), (other, "on")].map { try fixture.write($0, $1) }
    await fixture.scheduler.writePass()
    #expect(applied.withLock { $0 } == ["other:on", "led:off", "led:on"])
    #expect(ids.allSatisfy { fixture.status($0) == .done })
  }

  /// A write that takes minutes (a power cycle waiting for the chassis) must not hold back a
  /// write to another device accepted after it.
  @Test(.timeLimit(.minutes(1))) func aSlowWriteHoldsBackOnlyItsOwnDevice() async throws {
    let power = Device(id: "power", type: "power", handler: "h")
    let led = Device(id: "led", type: "led", handler: "h")
    let fixture = WriteLoopFixture([power, led]) { device, _ in
      if device.id == "power" { try await Task.sleep(for: .seconds(120)) }
    }
    let loop = Task { await fixture.scheduler.run() }
    defer { loop.cancel() }
    let slow = try fixture.write(power, "on")
    while fixture.status(slow) != .writing { try await Task.sleep(for: .milliseconds(10)) }
    let quick = try fixture.write(led, "on")
    let deadline = ContinuousClock.now + .seconds(20)
    while fixture.status(quick) != .done, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    #expect(fixture.status(quick) == .done)
    #expect(fixture.status(slow) == .writing)
  }

  /// A stopping plugin does not wait out a write's timeout: what is still running or queued
  /// ends ERROR saying the plugin stopped (here: the loop cancelled, as a second signal does).
  @Test(.timeLimit(.minutes(1))) func stoppingEndsUnfinishedWritesWithAnError() async throws {
    let power = Device(id: "power", type: "power", handler: "h")
    let fixture = WriteLoopFixture([power]) { _, _ in try await Task.sleep(for: .seconds(120)) }
    let ids = try ["cycle", "off"].map { try fixture.write(power, $0) }
    let loop = Task { await fixture.scheduler.run() }
    while fixture.status(ids[0]) != .writing { try await Task.sleep(for: .milliseconds(10)) }
    loop.cancel()
    await loop.value
    for id in ids {
      let final = try #require(fixture.transactions.transaction(id))
      #expect(final.status == .error && final.message == Scheduler.stoppedMessage, "\(final)")
    }
  }

  /// A request's writes are queued all or none: the caller learns no transaction IDs when it
  /// is refused, so none of them may run.
  @Test func aRequestIsQueuedWholeOrNotAtAll() {
    let queue = WriteQueue(capacity: 3)
    let device = Device(id: "d", type: "led", handler: "h")
    func items(_ count: Int) -> [WriteQueue.Item] {
      (0..<count).map { WriteQueue.Item(transactionID: "t\($0)", device: device, write: WriteData(action: "state", data: [], transaction: "")) }
    }
    #expect(queue.enqueue(contentsOf: items(2)))
    #expect(!queue.enqueue(contentsOf: items(2)))
    #expect(queue.count == 2)
    #expect(queue.enqueue(contentsOf: items(1)) && queue.count == 3)
  }
}

/// Transactions live `settings.transaction.ttl` from creation; expiry happens as new ones are
/// created as well as on lookup, and a transaction's ID may be taken again once it expired.
struct TransactionStoreExpiryTests {
  @Test func createsForgetTransactionsPastTheirTTL() throws {
    let clock = Mutex(Date(timeIntervalSince1970: 1_000))
    let store = TransactionStore(ttl: .seconds(60), now: { clock.withLock { $0 } })
    let write = WriteData(action: "state", data: [], transaction: "")
    let first = try store.create(deviceID: "d", write: write, timeout: .seconds(30))
    clock.withLock { $0 += 30 }
    let second = try store.create(deviceID: "d", write: write, timeout: .seconds(30))
    clock.withLock { $0 += 31 }
    #expect(store.transaction(first.id) == nil)
    #expect(store.transaction(second.id) != nil)
    #expect(store.all().map(\.id) == [second.id])
    // A caller's own ID, expired, can be used again and then lives its full TTL.
    let named = WriteData(action: "state", data: [], transaction: "mine")
    _ = try store.create(deviceID: "d", write: named, timeout: .seconds(30))
    #expect(throws: TransactionStore.CreateError.self) { try store.create(deviceID: "d", write: named, timeout: .seconds(30)) }
    clock.withLock { $0 += 61 }
    _ = try store.create(deviceID: "d", write: named, timeout: .seconds(30))
    clock.withLock { $0 += 59 }
    #expect(store.transaction("mine") != nil)
  }
}
