import SynseSDK
import Foundation

/// Carries out Synse writes on Redfish controls: chassis/system LEDs (`IndicatorLED`,
/// `LocationIndicatorActive`), system power (`#ComputerSystem.Reset`) and PDU outlets
/// (`#Outlet.PowerControl`), each confirmed by reading the resource back (DSP0266 §7.6, §7.10;
/// DSP0268 Resource, ComputerSystem, Outlet).
public enum RedfishWriter {
  /// How often the point's resource is read back until it shows the written state. BMCs apply
  /// resets asynchronously (sushy-emulator: 1–11 s), so the first read rarely confirms one.
  static let confirmInterval: Duration = .milliseconds(500)
  /// Consecutive failed read-backs (timeouts, refused connections, 5xx) tolerated while a
  /// BMC is busy applying the change, before the write ends with the last error.
  static let confirmRetries = 5

  /// The write actions a control takes (`V3DeviceCapability.write.actions`): every Redfish
  /// control has one, `state`, as the original Synse `led` and `power` devices.
  public static func actions(for control: RedfishControl) -> [String] {
    switch control {
    case .indicatorLED, .locationIndicator, .reset, .outletPower: ["state"]
    }
  }

  /// Writes `data` to `point` and returns once reading ``RedfishPoint/path`` back shows it.
  ///
  /// LEDs: `on`/`off`/`blink` → PATCH `IndicatorLED` `Lit`/`Off`/`Blinking` (or
  /// `LocationIndicatorActive` true/false), with `If-Match` set to the resource's `@odata.etag`
  /// (or `ETag` header) when it has one. System power: `on`/`off`/`cycle`/`reset` or an allowable
  /// `ResetType` → POST `{"ResetType": …}`; confirmed when `PowerState` is `On`/`Off` (a cycle
  /// or reset when it is `On` again). Outlets: `on`/`off`/`cycle` → POST `{"PowerState": …}`.
  ///
  /// Polls every 500 ms with no limit of its own: the SDK cancels the task at the device's
  /// `writeTimeout` and ends the transaction ERROR; cancellation is honoured between requests.
  /// - Throws: ``HandlerError`` (no control, bad action or data — before any request; the BMC
  ///   refusing the request, with its `error.message`/`@Message.ExtendedInfo` text; the
  ///   resource failing to read back; cancelled once the BMC accepted it, naming what the
  ///   resource last read back); `CancellationError` when cancelled before that.
  public static func write(_ point: RedfishPoint, action: String, data: String, transport: any RedfishTransport) async throws {
    guard let control = point.control else {
      throw HandlerError("\(point.path) is read-only: Redfish offers no write for it")
    }
    let plan = try RedfishWritePlan(control: control, path: point.path, action: action, data: data)
    do throws(RedfishError) {
      switch plan.method {
      case .patch: try await patch(plan, transport: transport)
      case .post: _ = try await transport.post(plan.path, body: plan.body)
      }
    } catch {
      try Task.checkCancellation()
      throw HandlerError("\(plan.summary) was refused: \(error)")
    }
    try await confirm(plan, at: point.path, transport: transport)
  }

  /// GET for the etag, then PATCH with `If-Match`; a 412 (the resource changed in between,
  /// DSP0266 §7.6.2) is retried once with the fresh etag.
  private static func patch(_ plan: RedfishWritePlan, transport: any RedfishTransport) async throws(RedfishError) {
    for attempt in 1...2 {
      let current = try await transport.get(plan.path)
      do {
        _ = try await transport.patch(plan.path, body: plan.body, ifMatch: RedfishResourceState.etag(of: current))
        return
      } catch where error.httpStatus == 412 && attempt == 1 {
        continue
      }
    }
  }

  /// Reads `path` until ``RedfishWritePlan/readBack`` equals ``RedfishWritePlan/expected``.
  /// Cancelled (the device's writeTimeout passed), it throws a ``HandlerError`` naming what
  /// `path` last read back, which the SDK adds to its timeout message.
  private static func confirm(_ plan: RedfishWritePlan, at path: String, transport: any RedfishTransport) async throws {
    var failures = 0
    var last = "no read-back of \(plan.readBack) yet"
    func stopIfCancelled() throws {
      guard Task.isCancelled else { return }
      throw HandlerError("\(plan.summary) was accepted, but \(path) still shows \(last) (wanted \(plan.expected))")
    }
    while true {
      try stopIfCancelled()
      let state: RedfishResourceState
      do throws(RedfishError) {
        state = try RedfishResourceState(try await transport.get(path), endpoint: transport.endpoint, path: path)
        failures = 0
      } catch {
        try stopIfCancelled()
        failures += 1
        guard error.isTransient, failures <= confirmRetries else {
          throw HandlerError("\(plan.summary) was accepted, but reading it back failed: \(error)")
        }
        last = "no answer to the read-back (\(error.kind.rawValue))"
        try? await Task.sleep(for: confirmInterval)
        continue
      }
      guard let value = state.values[plan.readBack] else {
        throw HandlerError("\(plan.summary) was accepted, but \(path) reads back without \(plan.readBack)")
      }
      if value == plan.expected { return }
      last = "\(plan.readBack) \(value)"
      try? await Task.sleep(for: confirmInterval)
    }
  }
}

extension RedfishError {
  /// A BMC busy rebooting or applying a change may time out or answer 5xx for a while.
  var isTransient: Bool {
    switch kind {
    case .timeout, .unreachable: true
    case .status: (httpStatus ?? 0) >= 500
    case .unauthorized, .malformed, .config: false
    }
  }
}
