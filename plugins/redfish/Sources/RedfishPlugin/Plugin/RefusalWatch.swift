import Foundation
import Synchronization

/// The transport a poller's walks go through: passes every exchange on and keeps the first
/// `.unauthorized` answer of the walk. The service root answers without credentials (DSP0266
/// §13.3.1), so wrong credentials show only as each collection failing, which discovery counts
/// as skipped resources; this makes them the BMC's health error instead.
final class RefusalWatch: RedfishTransport {
  let inner: any RedfishTransport
  private let refusal = Mutex<RedfishError?>(nil)

  init(_ inner: any RedfishTransport) {
    self.inner = inner
  }

  var endpoint: String { inner.endpoint }

  /// The first refusal since the last call, and forgets it.
  func take() -> RedfishError? {
    refusal.withLock { value in
      defer { value = nil }
      return value
    }
  }

  private func watch(_ exchange: () async throws(RedfishError) -> RedfishResponse) async throws(RedfishError) -> RedfishResponse {
    do {
      return try await exchange()
    } catch {
      if error.kind == .unauthorized { refusal.withLock { if $0 == nil { $0 = error } } }
      throw error
    }
  }

  func get(_ path: String) async throws(RedfishError) -> RedfishResponse {
    try await watch { () throws(RedfishError) in try await inner.get(path) }
  }

  func patch(_ path: String, body: Data, ifMatch: String?) async throws(RedfishError) -> RedfishResponse {
    try await watch { () throws(RedfishError) in try await inner.patch(path, body: body, ifMatch: ifMatch) }
  }

  func post(_ path: String, body: Data) async throws(RedfishError) -> RedfishResponse {
    try await watch { () throws(RedfishError) in try await inner.post(path, body: body) }
  }
}
