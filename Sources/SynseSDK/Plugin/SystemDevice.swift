import Systemd

/// What libsystemd's sd-device knows of a device under the real `/sys` (subsystem, driver),
/// for plugins that describe hardware. Only metadata: sd-device caches attribute values, so
/// readings must come from the files themselves.
public struct SystemDevice: Sendable, Equatable {
  /// The kernel subsystem (`hwmon`, `pci`), if known.
  public let subsystem: String?
  /// The bound driver (`coretemp`), if any.
  public let driver: String?

  /// Nil when sd-device does not know the path (not under a real `/sys`, or no `uevent`).
  public init?(syspath: String) {
    guard let metadata = DeviceMetadata(syspath: syspath) else { return nil }
    subsystem = metadata.subsystem
    driver = metadata.driver
  }
}
