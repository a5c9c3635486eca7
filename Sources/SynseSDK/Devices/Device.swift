public import Foundation

/// A device the plugin manages, built from device config (or added by code).
public struct Device: Sendable, Identifiable {
  public let id: String
  public let type: String
  public let handler: String
  public let info: String
  public let alias: String
  /// User tags then the system tags `system/id:<id>` and `system/type:<type>`.
  public let tags: [Tag]
  /// Merged prototype and instance `data`: plugin-specific settings.
  public let data: ConfigValue
  /// Device metadata; also merged into every reading's context.
  public let context: [String: String]
  /// The instance's `output` for generic handlers, if named.
  public let output: Output?
  public let sortIndex: Int32
  public let writeTimeout: Duration
  public let transforms: [Transform]

  public init(
    id: String, type: String, handler: String, info: String = "", alias: String = "", tags: [Tag] = [],
    data: ConfigValue = .map([]), context: [String: String] = [:], output: Output? = nil, sortIndex: Int32 = 0,
    writeTimeout: Duration = .seconds(30), transforms: [Transform] = []
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
public struct Transform: Sendable {
  public let name: String
  let apply: @Sendable (ReadingValue) throws -> ReadingValue

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
