import Foundation
import Synchronization
import SynseProtocol

/// The readings the read loop collected: each device's current set, the optional windowed
/// cache (`settings.cache`), and live fan-out to `ReadStream` subscribers.
final class ReadingState: Sendable {
  /// One device's reading set from one read pass.
  struct Batch: Sendable {
    let device: Device
    let readings: [Reading]
    /// The readings as wire messages, built once when stored rather than on every RPC.
    let messages: [Synse_V3Reading]

    init(device: Device, readings: [Reading]) {
      self.device = device
      self.readings = readings
      self.messages = readings.map { $0.message(for: device) }
    }
  }

  private struct Bucket {
    let second: Int64
    let created: Date
    var batches: [Batch]
  }

  private let current = Mutex<[String: Batch]>([:])
  private let buckets = Mutex<[Bucket]>([])
  private let subscribers = Mutex<[ObjectIdentifier: ReadingSubscription]>([:])
  private let cacheTTL: Duration?
  private let now: @Sendable () -> Date

  /// - Parameter cacheTTL: keep a windowed cache for this long; `nil` disables it.
  init(cacheTTL: Duration?, now: @escaping @Sendable () -> Date = Date.init) {
    self.cacheTTL = cacheTTL
    self.now = now
  }

  /// Replaces the device's current readings, appends them to the cache, and pushes them
  /// to every subscriber interested in the device.
  func store(_ batch: Batch) {
    current.withLock { $0[batch.device.id] = batch }
    if let cacheTTL {
      let date = now()
      let second = Int64(date.timeIntervalSince1970.rounded(.down))
      buckets.withLock { buckets in
        Self.expire(&buckets, before: date, ttl: cacheTTL)
        if let last = buckets.indices.last, buckets[last].second == second {
          buckets[last].batches.append(batch)
        } else {
          buckets.append(Bucket(second: second, created: date, batches: [batch]))
        }
      }
    }
    let targets = subscribers.withLock { $0.values.filter { $0.wants(batch.device.id) } }
    for subscriber in targets { subscriber.yield(batch) }
  }

  /// The current readings of a device (empty before its first successful read).
  func current(for deviceID: String) -> [Reading] {
    current.withLock { $0[deviceID]?.readings ?? [] }
  }

  /// The current wire readings of the given devices, in order, under one lock.
  func currentMessages(for devices: [Device]) -> [Synse_V3Reading] {
    current.withLock { current in
      var messages: [Synse_V3Reading] = []
      messages.reserveCapacity(devices.count)
      for device in devices { messages.append(contentsOf: current[device.id]?.messages ?? []) }
      return messages
    }
  }

  /// All current batches, for `ReadCache` when no cache is kept.
  func allCurrent() -> [Batch] {
    current.withLock { Array($0.values) }
  }

  var isCaching: Bool { cacheTTL != nil }

  /// Cached batches whose bucket second lies within the inclusive bounds.
  func cached(start: Date?, end: Date?) -> [Batch] {
    guard let cacheTTL else { return allCurrent() }
    let startSecond = start.map { Int64($0.timeIntervalSince1970.rounded(.down)) }
    let endSecond = end.map { Int64($0.timeIntervalSince1970.rounded(.down)) }
    return buckets.withLock { buckets in
      Self.expire(&buckets, before: now(), ttl: cacheTTL)
      return buckets.filter { bucket in
        (startSecond.map { bucket.second >= $0 } ?? true) && (endSecond.map { bucket.second <= $0 } ?? true)
      }.flatMap(\.batches)
    }
  }

  /// A subscription to every new batch for the given devices (nil: every device, also those
  /// registered later; `deviceCount` of them now), until it is finished or its consumer's task
  /// is cancelled.
  func subscribe(to deviceIDs: Set<String>?, deviceCount: Int = 0) -> ReadingSubscription {
    // A slow consumer loses the oldest batches rather than growing memory without bound, but
    // never within two read passes: at 1,024 batches a server following 10,000 devices lost
    // whole devices every pass it fell behind, and their health went `unknown` by the hundreds.
    let devices = deviceIDs?.count ?? deviceCount
    let subscription = ReadingSubscription(deviceIDs: deviceIDs, limit: max(1024, 2 * devices)) { [weak self] id in
      _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
    }
    subscribers.withLock { $0[ObjectIdentifier(subscription)] = subscription }
    return subscription
  }

  /// Ends every subscriber's stream (at shutdown).
  func finishSubscribers() {
    let all = subscribers.withLock { subscribers in
      defer { subscribers.removeAll() }
      return Array(subscribers.values)
    }
    for subscriber in all { subscriber.finish() }
  }

  private static func expire(_ buckets: inout [Bucket], before date: Date, ttl: Duration) {
    let seconds = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
    buckets.removeAll { date.timeIntervalSince($0.created) > seconds }
  }
}
