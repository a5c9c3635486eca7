public import SynseSupport

/// Resolves the thresholds in force for a device's readings (docs/health.md "Sources"):
/// what its plugin declares in the `synse.thresholds` metadata (``ThresholdsMetadata``).
///
/// Resolution happens once per device and device-cache build; ``DeviceThresholds`` answers the
/// per-reading lookup with a scan of a few selectors.
public struct ThresholdResolver: Sendable {
  /// Plugin-declared thresholds only.
  public static let none = ThresholdResolver()

  public init() {}

  /// Everything in force for one device. A device whose metadata does not parse gets no
  /// thresholds, and ``DeviceThresholds/problem`` says why.
  public func resolve(_ device: DeviceRecord) -> DeviceThresholds {
    guard let text = device.metadata.first(where: { $0.0 == ThresholdsMetadata.key })?.1 else { return DeviceThresholds(entries: []) }
    do throws(ThresholdsError) {
      let parsed = try ThresholdsMetadata.parse(text)
      // More specific selectors (more context entries) first, so the first match wins.
      let entries = parsed.sorted { ($0.key.context.count, $0.key.description) > ($1.key.context.count, $1.key.description) }
      return DeviceThresholds(entries: entries.map { ($0.key, $0.value) })
    } catch {
      return DeviceThresholds(entries: [], problem: "metadata \(ThresholdsMetadata.key): \(error)")
    }
  }
}

/// The thresholds in force for one device's readings.
public struct DeviceThresholds: Sendable {
  let entries: [(selector: ReadingSelector, thresholds: Thresholds)]
  /// Why the plugin's thresholds were ignored (bad metadata), if they were.
  public let problem: String?

  init(entries: [(selector: ReadingSelector, thresholds: Thresholds)], problem: String? = nil) {
    self.entries = entries
    self.problem = problem
  }

  public var isEmpty: Bool { entries.isEmpty }

  /// The thresholds for one reading of this device, nil when none apply.
  public func thresholds(type: String, context: [(String, String)]) -> Thresholds? {
    for entry in entries where entry.selector.readingType == type {
      if entry.selector.context.isEmpty { return entry.thresholds }
      let matches = entry.selector.context.allSatisfy { key, value in context.contains { $0.0 == key && $0.1 == value } }
      if matches { return entry.thresholds }
    }
    return nil
  }
}
