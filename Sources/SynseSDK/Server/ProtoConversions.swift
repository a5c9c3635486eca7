import Foundation
import SynseProtocol
import SynseSupport

extension Tag {
  init(_ message: Synse_V3Tag) {
    self.init(namespace: message.namespace, annotation: message.annotation, label: message.label)
  }

  var message: Synse_V3Tag {
    var tag = Synse_V3Tag()
    tag.namespace = namespace
    tag.annotation = annotation
    tag.label = label
    return tag
  }
}

extension Unit {
  var message: Synse_V3OutputUnit {
    var unit = Synse_V3OutputUnit()
    unit.name = name
    unit.symbol = symbol
    return unit
  }
}

extension WriteData {
  init(_ message: Synse_V3WriteData) {
    self.init(action: message.action, data: Array(message.data), transaction: message.transaction)
  }

  var message: Synse_V3WriteData {
    var data = Synse_V3WriteData()
    data.action = action
    data.data = Data(self.data)
    data.transaction = transaction
    return data
  }
}

extension Reading {
  /// The wire reading; the unit is always set (empty when unitless), as the Go SDK does.
  func message(for device: Device) -> Synse_V3Reading {
    var message = Synse_V3Reading()
    message.id = device.id
    message.timestamp = Timestamp.format(timestamp)
    message.type = output.type
    message.deviceType = device.type
    message.deviceInfo = device.info
    message.context = context
    message.unit = output.unit?.message ?? Synse_V3OutputUnit()
    switch value {
    case .none: break
    case .string(let v): message.stringValue = v
    case .bool(let v): message.boolValue = v
    case .float32(let v): message.float32Value = v
    case .float64(let v): message.float64Value = v
    case .int32(let v): message.int32Value = v
    case .int64(let v): message.int64Value = v
    case .uint32(let v): message.uint32Value = v
    case .uint64(let v): message.uint64Value = v
    case .bytes(let v): message.bytesValue = Data(v)
    }
    return message
  }
}

extension Device {
  /// The wire device; `outputs` lists the outputs of its current readings.
  func message(pluginID: String, handler: DeviceHandler?, currentReadings: [Reading]) -> Synse_V3Device {
    var message = Synse_V3Device()
    message.timestamp = Timestamp.format(Date())
    message.id = id
    message.type = type
    message.plugin = pluginID
    message.info = info
    message.alias = alias
    message.metadata = metadata
    message.sortIndex = sortIndex
    message.tags = tags.map(\.message)
    var capabilities = Synse_V3DeviceCapability()
    capabilities.mode = handler?.mode ?? ""
    var write = Synse_V3WriteCapability()
    if handler?.canWrite == true { write.actions = handler?.actions ?? [] }
    capabilities.write = write
    message.capabilities = capabilities
    message.outputs = currentReadings.map { reading in
      var output = Synse_V3DeviceOutput()
      output.name = reading.output.name
      output.type = reading.output.type
      output.precision = reading.output.precision
      if let unit = reading.output.unit { output.unit = unit.message }
      return output
    }
    return message
  }
}

extension Transaction {
  var statusMessage: Synse_V3TransactionStatus {
    var message = Synse_V3TransactionStatus()
    message.id = id
    message.created = Timestamp.format(created)
    message.updated = Timestamp.format(updated)
    message.message = self.message
    message.timeout = GoDuration.format(timeout)
    message.context = context.message
    switch status {
    case .pending: message.status = .pending
    case .writing: message.status = .writing
    case .done: message.status = .done
    case .error: message.status = .error
    }
    return message
  }

  var writeTransactionMessage: Synse_V3WriteTransaction {
    var message = Synse_V3WriteTransaction()
    message.id = id
    message.device = deviceID
    message.context = context.message
    message.timeout = GoDuration.format(timeout)
    return message
  }
}
