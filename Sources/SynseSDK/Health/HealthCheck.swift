import Foundation
import Synchronization

/// A periodic health check (docs/plugin-protocol.md §4.6); before its first run it reports OK
/// with an empty timestamp.
public struct HealthCheck: Sendable {
  /// Shown in `Health` (`read queue health`); unique within the plugin.
  public let name: String
  /// Pause between runs, default `30s`; a run that hangs delays only this check.
  public let interval: Duration
  /// Returns normally when healthy; a thrown error's text becomes the check's message.
  public let check: @Sendable () async throws -> Void

  /// Creates a check; add it to ``Plugin/healthChecks``.
  public init(name: String, interval: Duration = .seconds(30), check: @escaping @Sendable () async throws -> Void) {
    self.name = name
    self.interval = interval
    self.check = check
  }
}

/// The last result of each check.
final class HealthMonitor: Sendable {
  struct Result: Sendable {
    let name: String
    var ok = true
    var message = ""
    var timestamp: Date?
  }

  let checks: [HealthCheck]
  private let results: Mutex<[Result]>

  init(checks: [HealthCheck]) {
    self.checks = checks
    self.results = Mutex(checks.map { Result(name: $0.name) })
  }

  var current: [Result] { results.withLock { $0 } }
  var isHealthy: Bool { current.allSatisfy(\.ok) }

  func evaluate(_ index: Int) async {
    var result = Result(name: checks[index].name, timestamp: Date())
    do {
      try await checks[index].check()
    } catch {
      result.ok = false
      result.message = "\(error)"
    }
    results.withLock { $0[index] = result }
  }

  /// The default "queue more than 95 % full" check.
  static func queueCheck(name: String, count: @escaping @Sendable () -> Int, capacity: Int) -> HealthCheck {
    HealthCheck(name: name) {
      let used = count()
      if Double(used) > Double(capacity) * 0.95 {
        throw HandlerError("queue is \(used)/\(capacity) full")
      }
    }
  }
}
