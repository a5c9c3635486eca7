import Foundation
import GRPCCore
import Synchronization
import SynseProtocol
import Testing
@testable import SynseSDK

/// The SDK served for real over TCP and a Unix socket, driven by a real gRPC client.
struct PluginServiceTests {
  static let devices = """
    version: 3
    devices:
      - type: temperature
        tags: [foo/bar]
        context: {model: t1}
        instances:
          - {info: Temp 1, data: {id: 1}, alias: {name: temp-1}}
          - {info: Temp 2, data: {id: 2}, transforms: [{scale: "0.5"}]}
      - type: switch
        instances:
          - {info: Switch, data: {id: 1}}
          - {info: Slow, handler: slow, data: {id: 2}, writeTimeout: 100ms}
      - type: odd
        instances:
          - {info: Odd, data: {id: 1}}
    """

  static func makePlugin() -> Plugin {
    var plugin = Plugin(metadata: .init(name: "test plugin", maintainer: "tester", description: "d", vcs: "v"), version: .init(pluginVersion: "9.9"))
    let switchState = Mutex("off")
    plugin.register(handler: DeviceHandler(name: "temperature", read: { device in
      [Output.temperature.reading(.int64(device.integer("id")! * 10))]
    }))
    plugin.register(handler: DeviceHandler(name: "switch", read: { _ in
      [Output.state.reading(.string(switchState.withLock { $0 }))]
    }, write: { _, write in
      guard write.text == "on" || write.text == "off" else { throw HandlerError("bad switch value '\(write.text)'") }
      switchState.withLock { $0 = write.text }
    }, actions: ["state"]))
    plugin.register(handler: DeviceHandler(name: "slow", write: { _, _ in try await Task.sleep(for: .seconds(2)) }))
    plugin.register(handler: DeviceHandler(name: "odd", bulkRead: { devices in
      devices.map { ($0, [Output.number.reading(.float64(.nan)), Output.string.reading(.bytes([0, 255]))]) }
    }))
    return plugin
  }

  @Test(arguments: [false, true])
  func everyRPCOverRealSockets(unixSocket: Bool) async throws {
    try await withRunningPlugin(Self.makePlugin(), deviceYAML: Self.devices, unixSocket: unixSocket) { client, runtime in
      let metadata = try await client.metadata(Synse_Empty())
      #expect(metadata.tag == "tester/test-plugin" && metadata.id == runtime.pluginID && metadata.description_p == "d")
      let version = try await client.version(Synse_Empty())
      #expect(version.pluginVersion == "9.9" && version.os == "linux" && version.buildDate == "-")
      #expect(try await client.test(Synse_Empty()).ok)
      let health = try await client.health(Synse_Empty())
      #expect(health.status == .ok && health.checks.map(\.name) == ["read queue health", "write queue health"])

      // Readings appear once the read loop has run.
      #expect(try await eventually { try await readAll(client).count == 5 })
      let readings = try await readAll(client)
      let temp2 = try #require(readings.first { $0.deviceInfo == "Temp 2" })
      #expect(temp2.float64Value == 10)  // 20 scaled by 0.5
      #expect(temp2.unit.symbol == "C" && temp2.context == ["model": "t1"] && temp2.deviceType == "temperature")
      let odd = readings.filter { $0.deviceType == "odd" }
      #expect(odd.contains { $0.float64Value.isNaN })
      #expect(odd.contains { $0.bytesValue == Data([0, 255]) })
      #expect(odd.allSatisfy { $0.unit == Synse_V3OutputUnit() })

      // Devices: all, by alias, by tag; outputs follow the current readings.
      let devices = try await client.devices(Synse_V3DeviceSelector()) { try await Array($0.messages) }
      #expect(devices.count == 5)
      let switchDevice = try #require(devices.first { $0.info == "Switch" })
      #expect(switchDevice.capabilities.mode == "rw" && switchDevice.capabilities.write.actions == ["state"])
      #expect(switchDevice.outputs.map(\.name) == ["state"])
      var byAlias = Synse_V3DeviceSelector()
      byAlias.id = "temp-1"
      #expect(try await client.devices(byAlias) { try await Array($0.messages) }.map(\.info) == ["Temp 1"])
      var byTag = Synse_V3DeviceSelector()
      byTag.tags = [Tag(namespace: "foo", label: "bar").message]
      #expect(try await client.devices(byTag) { try await Array($0.messages) }.count == 2)

      // Unknown device: NOT_FOUND.
      var unknown = Synse_V3ReadRequest()
      unknown.selector.id = "nope"
      let error = await #expect(throws: RPCError.self) { try await client.read(unknown) { try await Array($0.messages) } }
      #expect(error?.code == .notFound)

      // A read request without a selector is handled (all devices), not rejected.
      #expect(try await client.read(Synse_V3ReadRequest()) { try await Array($0.messages) }.count == 5)

      // Writes: sync DONE, bad data ERROR with a message, undeclared action ERROR.
      var payload = Synse_V3WritePayload()
      payload.selector.id = switchDevice.id
      payload.data = [WriteData(action: "state", data: Array("on".utf8)).message,
                      WriteData(action: "state", data: Array("purple".utf8)).message,
                      WriteData(action: "dance", data: Array("on".utf8), transaction: "my-tx").message]
      let statuses = try await client.writeSync(payload) { try await Array($0.messages) }
      #expect(statuses.map(\.status) == [.done, .error, .error])
      #expect(statuses[1].message.contains("purple"))
      #expect(statuses[2].message.contains("unsupported write action 'dance'") && statuses[2].id == "my-tx")
      #expect(statuses[0].timeout == "30s" && statuses[0].context.action == "state")
      #expect(try await eventually { try await readAll(client).contains { $0.stringValue == "on" } })

      // Async write then transaction lookup; a reused transaction ID is refused.
      payload.data = [WriteData(action: "state", data: Array("off".utf8)).message]
      let handles = try await client.writeAsync(payload) { try await Array($0.messages) }
      #expect(handles.count == 1 && handles[0].device == switchDevice.id)
      var selector = Synse_V3TransactionSelector()
      selector.id = handles[0].id
      let lookup = selector
      #expect(try await eventually { try await client.transaction(lookup).status == .done })
      payload.data = [WriteData(action: "state", data: Array("on".utf8), transaction: "my-tx").message]
      await #expect(throws: RPCError.self) { try await client.writeAsync(payload) { try await Array($0.messages) } }
      selector.id = "missing"
      let missing = await #expect(throws: RPCError.self) { try await client.transaction(selector) }
      #expect(missing?.code == .notFound)
      #expect(try await client.transactions(Synse_Empty()) { try await Array($0.messages) }.count == 4)

      // Write timeout: the slow handler exceeds its 100ms window.
      let slow = try #require(devices.first { $0.info == "Slow" })
      payload.selector.id = slow.id
      payload.data = [WriteData(action: "any").message]
      let timedOut = try await client.writeSync(payload) { try await Array($0.messages) }
      #expect(timedOut.first?.status == .error && timedOut.first?.message == "device write timed out after 100ms")

      // Write errors: no selector id, read-only device, no data.
      payload.selector.id = ""
      let noID = await #expect(throws: RPCError.self) { try await client.writeAsync(payload) { try await Array($0.messages) } }
      #expect(noID?.code == .invalidArgument)
      payload.selector.id = devices.first { $0.info == "Temp 1" }!.id
      await #expect(throws: RPCError.self) { try await client.writeAsync(payload) { try await Array($0.messages) } }
      payload.selector.id = switchDevice.id
      payload.data = []
      await #expect(throws: RPCError.self) { try await client.writeAsync(payload) { try await Array($0.messages) } }

      // Read cache: with no cache kept, the current readings.
      #expect(try await client.readCache(Synse_V3Bounds()) { try await Array($0.messages) }.count == 5)
      var badBounds = Synse_V3Bounds()
      badBounds.start = "yesterday"
      #expect(try await client.readCache(badBounds) { try await Array($0.messages) }.isEmpty)

      // Read stream: the selected device's readings keep coming.
      var stream = Synse_V3StreamRequest()
      var streamSelector = Synse_V3DeviceSelector()
      streamSelector.id = "temp-1"
      stream.selectors = [streamSelector]
      let streamed = try await client.readStream(stream) { response in
        var collected: [Synse_V3Reading] = []
        for try await reading in response.messages {
          collected.append(reading)
          if collected.count == 3 { break }
        }
        return collected
      }
      #expect(streamed.count == 3 && streamed.allSatisfy { $0.deviceInfo == "Temp 1" })
      streamSelector.id = "nope"
      stream.selectors = [streamSelector]
      await #expect(throws: RPCError.self) { try await client.readStream(stream) { try await Array($0.messages) } }
    }
  }

  @Test func readCacheKeepsWindowedHistory() async throws {
    var config = PluginConfig.fast
    config.cacheEnabled = true
    try await withRunningPlugin(Self.makePlugin(), config: config, deviceYAML: Self.devices) { client, _ async throws -> Void in
      #expect(try await eventually { try await client.readCache(Synse_V3Bounds()) { try await Array($0.messages) }.count > 12 })
      var future = Synse_V3Bounds()
      future.start = "2999-01-01T00:00:00Z"
      #expect(try await client.readCache(future) { try await Array($0.messages) }.isEmpty)
      var past = Synse_V3Bounds()
      past.end = "2000-01-01T00:00:00.5+01:00"
      #expect(try await client.readCache(past) { try await Array($0.messages) }.isEmpty)
    }
  }
}

private func readAll(_ client: Synse_V3Plugin.Client<some ClientTransport>) async throws -> [Synse_V3Reading] {
  var request = Synse_V3ReadRequest()
  request.selector = Synse_V3DeviceSelector()
  return try await client.read(request) { try await Array($0.messages) }
}

extension Array {
  init<S: AsyncSequence>(_ sequence: S) async throws where S.Element == Element {
    self = []
    for try await element in sequence { append(element) }
  }
}
