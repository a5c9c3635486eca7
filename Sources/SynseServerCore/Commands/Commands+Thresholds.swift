extension Commands {
  /// The thresholds in force for a device's readings, each value with its source
  /// (docs/api-v3.md §5.21): the plugin's declaration merged with the server rules.
  ///
  /// - Throws: 404 `notFound` for an unknown device (ID or alias), as `/v3/info`.
  public func thresholds(deviceID: String) throws(SynseError) -> JSONValue {
    guard let device = devices.device(deviceID) else {
      throw .notFound("device not found: \(deviceID) (no device with this ID or alias is known)")
    }
    return live.monitor.resolver.resolve(device).json
  }
}
