import SynseSDK

/// Readings JSON cannot carry as plain numbers or text: NaN, ±Inf and raw bytes. Not in
/// the default config; a device with `handler: edge` and `data: {value: nan|inf|-inf|bytes}`
/// lets a server's handling of them be tested end to end.
enum EdgeCase {
  static func handler() -> DeviceHandler {
    DeviceHandler(
      name: "edge",
      read: { device in
        let kind: String
        if case .string(let text)? = device.data["value"] { kind = text } else { kind = "nan" }
        switch kind {
        case "nan": return [Output.number.reading(.float64(.nan))]
        case "inf": return [Output.number.reading(.float64(.infinity))]
        case "-inf": return [Output.number.reading(.float64(-.infinity))]
        case "float32-nan": return [Output.number.reading(.float32(.nan))]
        case "bytes": return [EmulatorOutputs.raw.reading(.bytes([0x00, 0xFF, 0xFE, 0x41]))]
        default: throw HandlerError("unknown edge value '\(kind)'")
        }
      })
  }
}
