import Logging
import Synchronization
import Testing

@testable import SynseSDK

/// Writes to one device are applied in the order accepted, even within one write pass; other
/// devices' writes still run beside them.
struct WriteOrderTests {
  @Test(.timeLimit(.minutes(1))) func oneDevicesWritesRunInOrderOthersConcurrently() async throws {
    let applied = Mutex<[String]>([])
    // `off` is slow to apply: run concurrently, `on` would land first and be overwritten.
    let handler = DeviceHandler(name: "led", write: { device, data in
      let text = String(decoding: data.data, as: UTF8.self)
      if text == "off" { try await Task.sleep(for: .milliseconds(300)) }
      applied.withLock { $0.append("\(device.id):\(text)") }
    })
    let led = Device(id: "led", type: "led", handler: "led")
    let other = Device(id: "other", type: "led", handler: "led")
    var config = PluginConfig()
    config.write.interval = .milliseconds(10)
    let transactions = TransactionStore(ttl: .seconds(60))
    let queue = WriteQueue(capacity: 16)
    let scheduler = Scheduler(
      config: config, devices: DeviceManager(devices: [led, other]), handlers: ["led": handler], readings: ReadingState(cacheTTL: nil),
      transactions: transactions, writeQueue: queue, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    var ids: [String] = []
    for (device, text) in [(led, "off"), (led, "on"), (other, "on")] {
      let write = WriteData(action: "state", data: Array(text.utf8), transaction: "")
      let transaction = try transactions.create(deviceID: device.id, write: write, timeout: .seconds(30))
      #expect(queue.enqueue(WriteQueue.Item(transactionID: transaction.id, device: device, write: write)))
      ids.append(transaction.id)
    }
    await scheduler.writePass()
    #expect(applied.withLock { $0 } == ["other:on", "led:off", "led:on"])
    #expect(ids.allSatisfy { transactions.transaction($0)?.status == .done })
  }
}
