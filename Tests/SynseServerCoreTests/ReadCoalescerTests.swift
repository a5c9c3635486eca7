import Synchronization
import NIOCore
import Testing
@testable import SynseServerCore

/// Counts calls across tasks.
private final class Counter: Sendable {
  private let value = Mutex(0)
  func increment() { value.withLock { $0 += 1 } }
  var count: Int { value.withLock { $0 } }
}

struct ReadCoalescerTests {
  static let reading = ReadingRecord(device: "d", timestamp: "t", type: "x", deviceType: "x", deviceInfo: "", unit: nil, value: .int(1), context: [])

  @Test func concurrentIdenticalReadsShareOneCall() async throws {
    let coalescer = ReadCoalescer()
    let calls = Counter()
    let results = try await withThrowingTaskGroup(of: Int.self) { group in
      for _ in 0..<20 {
        group.addTask {
          let readings = try await coalescer.read(key: "plugin") { () async throws(SynseError) -> SharedRead in
            calls.increment()
            try? await Task.sleep(for: .milliseconds(200))
            return SharedRead([Self.reading])
          }
          return readings.readings.count
        }
      }
      var results: [Int] = []
      for try await result in group { results.append(result) }
      return results
    }
    #expect(results == Array(repeating: 1, count: 20))
    #expect(calls.count < 20)
  }

  @Test func errorsReachTheCallerAndTheNextCallStartsFresh() async throws {
    let coalescer = ReadCoalescer()
    do {
      _ = try await coalescer.read(key: "k") { () async throws(SynseError) -> SharedRead in
        throw .serverError("error while issuing gRPC request: read")
      }
      Issue.record("expected an error")
    } catch {
      #expect(error == .serverError("error while issuing gRPC request: read"))
    }
    let read = try await coalescer.read(key: "k") { () async throws(SynseError) -> SharedRead in SharedRead([]) }
    #expect(read.readings.isEmpty)
    #expect(String(buffer: read.body.body(pretty: false)) == "[]")
  }

  @Test func theSharedBodyIsTheReadingsArrayInBothForms() {
    let second = ReadingRecord(device: "e", timestamp: "t", type: "x", deviceType: "x", deviceInfo: "", unit: ("celsius", "C"), value: .double(.nan), context: [("k", "v")])
    let read = SharedRead([Self.reading, second])
    let plain = JSONValue.array([Self.reading.json, second.json])
    #expect(String(buffer: read.body.body(pretty: false)) == plain.serialized(pretty: false))
    #expect(String(buffer: read.body.body(pretty: true)) == plain.serialized(pretty: true))
    #expect(JSONValue.object([("data", .fragment(read.body))]).serialized(pretty: true) == JSONValue.object([("data", plain)]).serialized(pretty: true))
  }

  /// The live feed renders a reading only when a read first asks for it; a copy changed after
  /// (its health set again) must render as changed, not as the first copy did.
  @Test func aReadingRendersWhenFirstAskedAndAChangedCopyRendersAsChanged() {
    var reading = Self.reading
    reading.health = .ok
    let rendered = reading.renderedOnce()
    #expect(rendered.json.serialized(pretty: false) == reading.json.serialized(pretty: false))
    #expect(rendered.json.serialized(pretty: true) == reading.json.serialized(pretty: true))
    var changed = rendered
    changed.health = .critical
    let again = changed.renderedOnce()
    #expect(again.json.serialized(pretty: false).contains(#""health":"critical""#))
    #expect(rendered.json.serialized(pretty: false).contains(#""health":"ok""#))
  }
}
