import CSystemd

/// Driver, subsystem and parent of a device under the real `/sys`, through sd-device.
/// sd-device caches attribute values, so it is used for metadata only, never for readings.
public struct DeviceMetadata: Sendable, Equatable {
  public var subsystem: String?
  public var driver: String?
  public var devpath: String?

  /// Metadata of the device at `syspath` (a `/sys/...` path), or nil when sd-device does not
  /// know it (not under the real `/sys`, or no `uevent`).
  public init?(syspath: String) {
    var device: OpaquePointer?
    guard sd_device_new_from_syspath(&device, syspath) >= 0, let device else { return nil }
    defer { sd_device_unref(device) }
    subsystem = Self.string(device, sd_device_get_subsystem)
    driver = Self.string(device, sd_device_get_driver)
    devpath = Self.string(device, sd_device_get_devpath)
  }

  private static func string(
    _ device: OpaquePointer, _ getter: (OpaquePointer?, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32
  ) -> String? {
    var value: UnsafePointer<CChar>?
    guard getter(device, &value) >= 0, let value else { return nil }
    return String(cString: value)
  }
}
