import Testing

@testable import SynseSDK

/// The `ReadStream` fan-out's bound on a consumer that falls behind.
struct ReadingStateStreamTests {
  @Test func aConsumerBehindByUpToTwoPassesLosesNoDevice() async {
    let state = ReadingState(cacheTTL: nil)
    let devices = (0..<3_000).map { Device(id: "d\($0)", type: "temperature", handler: "temperature") }
    let stream = state.subscribe(to: Set(devices.map(\.id)))
    // One whole pass stored before the consumer reads anything (a server busy elsewhere).
    for device in devices { state.store(ReadingState.Batch(device: device, readings: [])) }
    state.finishSubscribers()
    var seen: Set<String> = []
    while let batches = await stream.next() { seen.formUnion(batches.map(\.device.id)) }
    #expect(seen.count == 3_000)
  }
}

/// What piles up while a consumer writes is handed over at once (one write, one flush), and a
/// consumer that goes away leaves the fan-out.
struct ReadingSubscriptionTests {
  @Test func batchesWaitingComeTogetherInOrder() async {
    let state = ReadingState(cacheTTL: nil)
    let devices = (0..<3).map { Device(id: "d\($0)", type: "temperature", handler: "temperature") }
    let subscription = state.subscribe(to: nil, deviceCount: 3)
    for device in devices { state.store(ReadingState.Batch(device: device, readings: [])) }
    #expect(await subscription.next()?.map(\.device.id) == ["d0", "d1", "d2"])
    state.store(ReadingState.Batch(device: devices[1], readings: []))
    #expect(await subscription.next()?.map(\.device.id) == ["d1"])
  }

  @Test func aCancelledConsumerGetsNilAndLeaves() async {
    let state = ReadingState(cacheTTL: nil)
    let device = Device(id: "d", type: "temperature", handler: "temperature")
    let subscription = state.subscribe(to: nil, deviceCount: 1)
    let consumer = Task { await subscription.next() }
    try? await Task.sleep(for: .milliseconds(50))
    consumer.cancel()
    let got = await consumer.value
    #expect(got == nil)
    // Left: a batch stored now reaches nobody, and the subscription stays ended.
    state.store(ReadingState.Batch(device: device, readings: []))
    #expect(await subscription.next() == nil)
  }
}

/// A stream of every device follows the device set as it is now, not as it was at opening.
struct ReadingStateAllDevicesTests {
  @Test func aStreamOfEveryDeviceGetsDevicesRegisteredAfterItOpened() async {
    let state = ReadingState(cacheTTL: nil)
    let first = Device(id: "first", type: "temperature", handler: "temperature")
    let later = Device(id: "later", type: "temperature", handler: "temperature")
    let all = state.subscribe(to: nil, deviceCount: 1)
    let chosen = state.subscribe(to: ["first"])
    state.store(ReadingState.Batch(device: first, readings: []))
    state.store(ReadingState.Batch(device: later, readings: []))
    state.finishSubscribers()
    var everySeen: [String] = []
    while let batches = await all.next() { everySeen += batches.map(\.device.id) }
    var chosenSeen: [String] = []
    while let batches = await chosen.next() { chosenSeen += batches.map(\.device.id) }
    #expect(everySeen == ["first", "later"])
    #expect(chosenSeen == ["first"])
  }
}
