/// What a plugin author writes for a kind of device: optional read, bulk read and write
/// functions. Capabilities are derived from which functions are present, as in the Go SDK.
///
/// ```swift
/// let led = DeviceHandler(name: "led", read: { device in
///   [Output.state.reading(.string("on"))]
/// }, write: { device, write in
///   guard write.action == "state" else { throw HandlerError("unsupported action \(write.action)") }
/// })
/// ```
public struct DeviceHandler: Sendable {
  public typealias Read = @Sendable (Device) async throws -> [Reading]
  public typealias BulkRead = @Sendable ([Device]) async throws -> [(Device, [Reading])]
  public typealias Write = @Sendable (Device, WriteData) async throws -> Void

  public var name: String
  public var read: Read?
  /// Used only when ``read`` is absent: one call for all of the handler's devices.
  public var bulkRead: BulkRead?
  public var write: Write?
  /// Declared write actions; when non-empty, other actions fail without calling ``write``.
  public var actions: [String]

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

/// One item of a write request: a handler-defined action and its payload.
public struct WriteData: Sendable, Equatable {
  public var action: String
  public var data: [UInt8]
  /// The caller-chosen transaction ID, if any (not passed on by the Go SDK; echoed back).
  public var transaction: String

  public init(action: String, data: [UInt8] = [], transaction: String = "") {
    self.action = action
    self.data = data
    self.transaction = transaction
  }

  /// The payload as UTF-8 text (writes are usually text such as `on` or `ff0000`).
  public var text: String { String(decoding: data, as: UTF8.self) }
}

/// An error a handler throws; its message becomes the transaction's `message`.
public struct HandlerError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
