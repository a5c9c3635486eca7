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
