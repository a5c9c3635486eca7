import Systemd

/// What libsystemd's sd-device knows of a device under the real `/sys` (subsystem, driver),
/// for plugins that describe hardware. Only metadata: sd-device caches attribute values, so
/// readings must come from the files themselves.
public struct SystemDevice: Sendable, Equatable {
  public let subsystem: String?
  public let driver: String?

  /// Nil when sd-device does not know the path (not under a real `/sys`, or no `uevent`).
  public init?(syspath: String) {
    guard let metadata = DeviceMetadata(syspath: syspath) else { return nil }
    subsystem = metadata.subsystem
    driver = metadata.driver
  }
}
