public import Foundation
public import SynseSupport

/// A device the plugin manages, built from device config (or added by code).
///
/// Its fields live in one immutable box: a read pass hands each device to a task, a batch, its
/// readings and every stream, and copying thirteen fields (a dozen reference counts) each time
/// was a tenth of a plugin's CPU at 1,000 devices; a copy is now one reference count.
public struct Device: Sendable, Identifiable {
  /// UUIDv5 of `type.handler.<data component>` in the plugin ID's namespace (§2.3), so it is
  /// stable across restarts; code-made devices bring their own.
  public var id: String { fields.id }
  /// The device type (`temperature`, `led`): Synse Server's `type`, part of the ID.
  public var type: String { fields.type }
  /// The ``DeviceHandler/name`` that reads and writes it; part of the ID.
  public var handler: String { fields.handler }
  /// Free text for people (`device_info`); not part of the ID.
  public var info: String { fields.info }
  /// A second name accepted wherever the ID is (selectors, writes); `""` for none.
  public var alias: String { fields.alias }
  /// User tags then the system tags `system/id:<id>` and `system/type:<type>`.
  public var tags: [Tag] { fields.tags }
  /// Merged prototype and instance `data`: plugin-specific settings.
  public var data: ConfigValue { fields.data }
  /// Device metadata; also merged into every reading's context.
  public var context: [String: String] { fields.context }
  /// The instance's `output` for generic handlers, if named.
  public var output: Output? { fields.output }
  /// Synse Server's default scan order is plugin, then this, then ID; `0` means unset.
  public var sortIndex: Int32 { fields.sortIndex }
  /// How long a write may take before its transaction ends `ERROR` (config `writeTimeout`,
  /// default 30 s); sent as the transaction `timeout`.
  public var writeTimeout: Duration { fields.writeTimeout }
  /// Applied in order to every valued reading (`scale`, `apply`); a failure drops the pass.
  public var transforms: [Transform] { fields.transforms }
  /// Thresholds by reading selector (docs/health.md), sent to the server as the device
  /// metadata key `synse.thresholds` (``ThresholdsMetadata``); not part of reading context.
  public var thresholds: [ReadingSelector: Thresholds] { fields.thresholds }

  private let fields: Fields

  private final class Fields: Sendable {
    let id: String
    let type: String
    let handler: String
    let info: String
    let alias: String
    let tags: [Tag]
    let data: ConfigValue
    let context: [String: String]
    let output: Output?
    let sortIndex: Int32
    let writeTimeout: Duration
    let transforms: [Transform]
    let thresholds: [ReadingSelector: Thresholds]

    init(
      id: String, type: String, handler: String, info: String, alias: String, tags: [Tag], data: ConfigValue,
      context: [String: String], output: Output?, sortIndex: Int32, writeTimeout: Duration, transforms: [Transform],
      thresholds: [ReadingSelector: Thresholds]
    ) {
      self.id = id
      self.type = type
      self.handler = handler
      self.info = info
      self.alias = alias
      self.tags = tags
      self.data = data
      self.context = context
      self.output = output
      self.sortIndex = sortIndex
      self.writeTimeout = writeTimeout
      self.transforms = transforms
      self.thresholds = thresholds
    }
  }

  /// Creates a device in code (dynamic registration, tests); config devices come from
  /// ``DeviceConfig``, which computes ``id``.
  public init(
    id: String, type: String, handler: String, info: String = "", alias: String = "", tags: [Tag] = [],
    data: ConfigValue = .map([]), context: [String: String] = [:], output: Output? = nil, sortIndex: Int32 = 0,
    writeTimeout: Duration = .seconds(30), transforms: [Transform] = [], thresholds: [ReadingSelector: Thresholds] = [:]
  ) {
    fields = Fields(
      id: id, type: type, handler: handler, info: info, alias: alias, tags: tags, data: data, context: context, output: output,
      sortIndex: sortIndex, writeTimeout: writeTimeout, transforms: transforms, thresholds: thresholds)
  }

  /// The device metadata sent as `V3Device.metadata`: ``context``, plus ``thresholds`` encoded
  /// under `synse.thresholds` when there are any.
  public var metadata: [String: String] {
    guard !thresholds.isEmpty else { return context }
    var metadata = context
    metadata[ThresholdsMetadata.key] = ThresholdsMetadata.encode(thresholds)
    return metadata
  }

  /// A `data` value as an integer, when it was written as a YAML integer.
  public func integer(_ key: String) -> Int64? {
    if case .int(let number)? = data[key] { return number }
    return nil
  }

  /// Whether every selector tag matches one of the device's tags.
  func matches(allOf selectorTags: [Tag]) -> Bool {
    selectorTags.allSatisfy { selector in tags.contains(where: selector.matches) }
  }
}

/// A value transform applied to readings, in configuration order.
///
/// Throwing (``HandlerError`` for a clear message) drops the device's whole reading set for
/// that pass and logs the message, so a bad value is never served.
public struct Transform: Sendable {
  /// What `apply:` in the device config names; also shown in the log when it fails.
  public let name: String
  let apply: @Sendable (ReadingValue) throws -> ReadingValue

  /// Creates a transform; register it with ``Plugin/register(transform:)`` for configs to use.
  public init(name: String, apply: @escaping @Sendable (ReadingValue) throws -> ReadingValue) {
    self.name = name
    self.apply = apply
  }

  /// `scale: "<factor>"`: multiply, giving a float64; factor 0 is an error at read time.
  static func scale(_ factorText: String) throws(ConfigError) -> Transform {
    let text = factorText.trimmingCharacters(in: .whitespaces)
    guard let factor = text.isEmpty ? 1 : Double(text) else {
      throw ConfigError(.invalidValue, message: "scale factor '\(factorText)' is not a number")
    }
    return Transform(name: "scale(\(factorText))") { value in
      if factor == 1 { return value }
      guard factor != 0 else { throw HandlerError("cannot scale by 0") }
      guard let number = value.doubleValue else { throw HandlerError("cannot scale non-numeric value") }
      return .float64(number * factor)
    }
  }

  /// The built-in `FtoC` function: Fahrenheit to Celsius.
  public static let fahrenheitToCelsius = Transform(name: "FtoC") { value in
    guard let number = value.doubleValue else { throw HandlerError("FtoC needs a numeric value") }
    return .float64((number - 32) * 5 / 9)
  }
}
