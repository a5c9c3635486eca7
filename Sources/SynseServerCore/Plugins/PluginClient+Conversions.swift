import Foundation
internal import SynseProtocol

extension Synse_V3Tag {
  /// Splits once at the first `/`, then once at the first `:` (docs/api-v3.md §3.1).
  init(parsing text: String) {
    self.init()
    var rest = Substring(text)
    if let slash = rest.firstIndex(of: "/") {
      namespace = String(rest[..<slash])
      rest = rest[rest.index(after: slash)...]
    }
    if let colon = rest.firstIndex(of: ":") {
      annotation = String(rest[..<colon])
      rest = rest[rest.index(after: colon)...]
    }
    label = String(rest)
  }

  var rendered: String {
    (namespace.isEmpty ? "" : namespace + "/") + (annotation.isEmpty ? "" : annotation + ":") + label
  }
}

extension DeviceRecord {
  init(_ device: Synse_V3Device) {
    self.init(
      timestamp: device.timestamp, id: device.id, type: device.type, plugin: device.plugin, info: device.info,
      alias: device.alias, sortIndex: device.sortIndex, metadata: device.metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
      capabilities: device.hasCapabilities
        ? Capabilities(mode: device.capabilities.mode, writeActions: device.capabilities.hasWrite ? device.capabilities.write.actions : nil)
        : nil,
      tags: device.tags.map(\.rendered),
      outputs: device.outputs.map {
        Output(name: $0.name, type: $0.type, precision: $0.precision, scalingFactor: $0.scalingFactor,
               unit: $0.hasUnit ? ($0.unit.name, $0.unit.symbol) : nil)
      }, renderedSummary: nil)
  }
}

extension ReadingRecord {
  init(_ reading: Synse_V3Reading) {
    let value: JSONValue
    switch reading.value {
    case .none: value = .null
    case .stringValue(let text): value = ReadingValue.string(text)
    case .boolValue(let flag): value = .bool(flag)
    case .float32Value(let number): value = ReadingValue.double(Double(number))
    case .float64Value(let number): value = ReadingValue.double(number)
    case .int32Value(let number): value = .int(Int64(number))
    case .int64Value(let number): value = .int(number)
    case .uint32Value(let number): value = .int(Int64(number))
    case .uint64Value(let number): value = .uint(number)
    case .bytesValue(let data): value = ReadingValue.bytes(data)
    }
    let unit = reading.hasUnit && !(reading.unit.name.isEmpty && reading.unit.symbol.isEmpty) ? (reading.unit.name, reading.unit.symbol) : nil
    self.init(
      device: reading.id, timestamp: reading.timestamp, type: reading.type, deviceType: reading.deviceType,
      deviceInfo: reading.deviceInfo, unit: unit, value: value,
      context: reading.context.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
  }
}

extension WriteContext {
  init(_ data: Synse_V3WriteData) {
    self.init(action: data.action, data: String(decoding: data.data, as: UTF8.self), transaction: data.transaction)
  }
}

extension TransactionRecord {
  init(_ status: Synse_V3TransactionStatus) {
    self.init(
      id: status.id, created: status.created, updated: status.updated, timeout: status.timeout, status: status.status.name,
      context: status.hasContext ? WriteContext(status.context) : nil, message: status.message)
  }
}

extension Synse_HealthStatus {
  var name: String {
    switch self {
    case .unknown: return "UNKNOWN"
    case .ok: return "OK"
    case .failing: return "FAILING"
    case .UNRECOGNIZED(let value): return "\(value)"
    }
  }
}

extension Synse_WriteStatus {
  var name: String {
    switch self {
    case .pending: return "PENDING"
    case .writing: return "WRITING"
    case .done: return "DONE"
    case .error: return "ERROR"
    case .UNRECOGNIZED(let value): return "\(value)"
    }
  }
}
