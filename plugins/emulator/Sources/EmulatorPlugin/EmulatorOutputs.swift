import SynseSDK

/// Outputs the emulator adds to the SDK's built-in ones.
enum EmulatorOutputs {
  static let airflow = Output(name: "airflow", type: "speed", precision: 3, unit: Unit(name: "millimeters per second", symbol: "mm/s"))
  static let json = Output(name: "json", type: "json")
  /// Raw bytes, produced by the `edge` device to exercise `bytes_value` end to end.
  static let raw = Output(name: "raw", type: "bytes")
}
