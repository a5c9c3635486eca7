/// What a plugin author writes for a kind of device: optional read, bulk read and write
/// functions. Capabilities are derived from which functions are present, as in the Go SDK
/// (docs/plugin-protocol.md §4.1): `r` with ``read`` or ``bulkRead``, `w` with ``write``.
///
/// Devices name their handler in the device config (`handler`, else the prototype's, else
/// the device `type`); an unknown name stops startup with ``ConfigError/Code/invalidDevice``.
///
/// ```swift
/// let led = DeviceHandler(name: "led", read: { device in
///   [Output.state.reading(.string("on"))]
/// }, write: { device, write in
///   guard write.action == "state" else { throw HandlerError("unsupported action \(write.action)") }
/// })
/// ```
public struct DeviceHandler: Sendable {
  /// Reads one device, once per read pass (`settings.read.interval`), after the rate limiter
  /// and, in `serial` mode, under the plugin-wide lock.
  ///
  /// Returns the device's whole current reading list: it replaces the previous one, then each
  /// valued reading goes through the device's transforms and gets the device `context`.
  /// - Throws: anything; it is logged and the device keeps its previous readings, because
  ///   the Go SDK has no on-demand read and serves the last good pass (§4.1).
  public typealias Read = @Sendable (Device) async throws -> [Reading]
  /// Reads all of the handler's devices in one call per pass, for buses where one query
  /// answers for many devices.
  ///
  /// Returns `(device, readings)` pairs; a device left out keeps its previous readings.
  /// - Throws: anything; it is logged and no device of the handler is updated in that pass.
  public typealias BulkRead = @Sendable ([Device]) async throws -> [(Device, [Reading])]
  /// Carries out one queued write item on the write loop (§4.5): returning marks the
  /// transaction `DONE`, throwing marks it `ERROR` with the error's description as `message`
  /// (so throw ``HandlerError`` to choose the text).
  ///
  /// Past the device's `writeTimeout` (default 30 s) the transaction ends `ERROR`
  /// `device write timed out after <writeTimeout>`; the task is cancelled and the write pass
  /// waits for it to return, so long writes should honour cancellation. An error other than
  /// `CancellationError` thrown on the way out is added to the message (`…: PowerState still
  /// reads Off, not On`), so say there how far the write got.
  public typealias Write = @Sendable (Device, WriteData) async throws -> Void

  /// The name device configs refer to; unique within the plugin.
  public var name: String
  /// Per-device read; takes precedence over ``bulkRead``.
  public var read: Read?
  /// Used only when ``read`` is absent: one call for all of the handler's devices.
  public var bulkRead: BulkRead?
  /// Makes the handler's devices writable (`w`).
  public var write: Write?
  /// Declared write actions, advertised as `V3DeviceCapability.write.actions`. When non-empty,
  /// another action ends `ERROR` (`rpc error: code = InvalidArgument desc = unsupported write
  /// action '<action>' for device <id>`, the Go SDK's text) without calling ``write``.
  public var actions: [String]

  /// Creates a handler; with neither read function nor ``write`` its devices are listed but
  /// never read or written.
  public init(name: String, read: Read? = nil, bulkRead: BulkRead? = nil, write: Write? = nil, actions: [String] = []) {
    self.name = name
    self.read = read
    self.bulkRead = bulkRead
    self.write = write
    self.actions = actions
  }

  /// Whether the read loop reads this handler's devices.
  var canRead: Bool { read != nil || bulkRead != nil }
  var canWrite: Bool { write != nil }

  /// `r`, `w`, `rw` or empty, as `V3DeviceCapability.mode`.
  var mode: String { (canRead ? "r" : "") + (canWrite ? "w" : "") }
}

/// One item of a write request (`V3WriteData`): a handler-defined action and its payload.
public struct WriteData: Sendable, Equatable {
  /// What to do, e.g. `state` or `color` for the emulator LED; meaning is the handler's.
  public var action: String
  /// The payload bytes as received; Synse Server sends the request's `data` text as UTF-8.
  public var data: [UInt8]
  /// The caller-chosen transaction ID, empty when the SDK generated one (the Go SDK does not
  /// pass it to handlers; it is echoed back in `V3WriteTransaction.context`).
  public var transaction: String

  /// Creates a write item, e.g. for calling a handler in tests.
  public init(action: String, data: [UInt8] = [], transaction: String = "") {
    self.action = action
    self.data = data
    self.transaction = transaction
  }

  /// The payload as UTF-8 text (writes are usually text such as `on` or `ff0000`).
  public var text: String { String(decoding: data, as: UTF8.self) }
}

/// An error a handler or transform throws whose text is meant for the caller: a write's
/// transaction `message` is exactly ``message``, where other errors show their description.
public struct HandlerError: Error, Sendable, CustomStringConvertible {
  /// The text shown to the caller (transaction `message`) or logged (read failures).
  public let message: String
  /// Creates an error carrying `message` verbatim.
  public init(_ message: String) { self.message = message }
  /// The bare ``message``, so `"\(error)"` adds nothing around it.
  public var description: String { message }
}
