import Synchronization

/// Static tokens accepted lately, by the index of their ``StaticTokens`` entry: a client sends
/// the same token on every request, and swift-crypto's SHA-256 (two context allocations per
/// digest) cost more than the rest of the check. Only tokens that matched an entry are kept,
/// at most ``capacity``, the oldest dropped first; held in memory only, as the requests that
/// carried them were.
///
/// A presented token is compared with every slot in constant time: every byte of every slot,
/// no early exit on a differing byte or on the matching slot, so the time taken tells nothing
/// about how close a guess was (only how long it was, which the request shows anyway).
final class RecentTokens: Sendable {
  static let capacity = 16

  private struct Slot {
    let token: [UInt8]
    let entry: Int
  }

  private let slots = Mutex<[Slot]>([])

  /// The entry index of `token` when it was accepted lately, or nil.
  func entry(of token: UnsafeRawBufferPointer) -> Int? {
    slots.withLock { slots in
      var found = -1
      for slot in slots {
        var difference = UInt(bitPattern: slot.token.count ^ token.count)
        slot.token.withUnsafeBufferPointer { known in
          // Over the presented token's length, a missing byte of a shorter slot compared as 0
          // (the lengths differ then, which `difference` already holds).
          for index in 0..<token.count {
            let byte = index < known.count ? known[index] : 0
            difference |= UInt(byte ^ token[index])
          }
        }
        found = difference == 0 ? slot.entry : found
      }
      return found < 0 ? nil : found
    }
  }

  /// Remembers that `token` is entry `entry`'s.
  func remember(_ token: UnsafeRawBufferPointer, entry: Int) {
    let slot = Slot(token: Array(token), entry: entry)
    slots.withLock { slots in
      // Two requests with a new token may both have hashed it.
      guard !slots.contains(where: { $0.token == slot.token }) else { return }
      if slots.count >= Self.capacity { slots.removeFirst() }
      slots.append(slot)
    }
  }
}
