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
    for await batch in stream { seen.insert(batch.device.id) }
    #expect(seen.count == 3_000)
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
    for await batch in all { everySeen.append(batch.device.id) }
    var chosenSeen: [String] = []
    for await batch in chosen { chosenSeen.append(batch.device.id) }
    #expect(everySeen == ["first", "later"])
    #expect(chosenSeen == ["first"])
  }
}
