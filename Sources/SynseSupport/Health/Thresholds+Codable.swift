/// The Redfish-style JSON form of thresholds (docs/health.md):
///
///     {"UpperCaution": {"Reading": 80, "Activation": "Increasing", "DwellTime": "PT5S"},
///      "UpperCritical": {"Reading": 95}, "HysteresisReading": 2, "HysteresisDuration": "PT10S"}
///
/// `Activation` defaults to `Either`, `DwellTime`/`HysteresisDuration` to `PT0S`,
/// `HysteresisReading` to 0. Unknown keys are refused (a misspelt `UpperCritcal` must not be
/// silently dropped). Decoding validates (``Thresholds/validate()``) and throws
/// ``ThresholdsError`` with the key relative to the object being decoded.
struct HealthJSONKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(_ string: String) { stringValue = string }
  init?(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

extension Threshold: Codable {
  static let keys = ["Reading", "Activation", "DwellTime"]

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: HealthJSONKey.self)
    if let unknown = container.allKeys.first(where: { !Self.keys.contains($0.stringValue) }) {
      throw ThresholdsError.malformed(key: unknown.stringValue, reason: "unknown key; expected one of \(Self.keys)")
    }
    guard container.contains(HealthJSONKey("Reading")) else {
      throw ThresholdsError.malformed(key: "Reading", reason: "missing; a threshold needs its Reading")
    }
    reading = try container.decode(Double.self, forKey: HealthJSONKey("Reading"))
    let activationText = try container.decodeIfPresent(String.self, forKey: HealthJSONKey("Activation"))
    if let activationText {
      guard let value = ThresholdActivation(rawValue: activationText) else {
        throw ThresholdsError.malformed(key: "Activation", reason: "\"\(activationText)\" is not Increasing, Decreasing or Either")
      }
      activation = value
    } else {
      activation = .either
    }
    dwellTime = try decodeDuration(container, "DwellTime")
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: HealthJSONKey.self)
    try container.encode(reading, forKey: HealthJSONKey("Reading"))
    try container.encode(activation.rawValue, forKey: HealthJSONKey("Activation"))
    try container.encode(ISO8601Duration.format(dwellTime), forKey: HealthJSONKey("DwellTime"))
  }
}

extension Thresholds: Codable {
  static let otherKeys = ["HysteresisReading", "HysteresisDuration"]

  /// Errors name the key from the top of the document (the decoder's coding path, e.g. the
  /// selector `temperature` in a ``ThresholdsMetadata`` map) down to the offending value.
  public init(from decoder: any Decoder) throws {
    do {
      try self.init(decoding: decoder)
    } catch let error as ThresholdsError {
      let path = decoder.codingPath.map(\.stringValue).joined(separator: ".")
      throw path.isEmpty ? error : error.prefixed(path)
    }
  }

  private init(decoding decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: HealthJSONKey.self)
    let known = ThresholdKind.allCases.map(\.redfishKey) + Self.otherKeys
    if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
      throw ThresholdsError.malformed(key: unknown.stringValue, reason: "unknown key; expected one of \(known)")
    }
    self.init()
    for kind in ThresholdKind.allCases {
      do {
        self[kind] = try container.decodeIfPresent(Threshold.self, forKey: HealthJSONKey(kind.redfishKey))
      } catch let error as ThresholdsError {
        throw error.prefixed(kind.redfishKey)
      }
    }
    hysteresisReading = try container.decodeIfPresent(Double.self, forKey: HealthJSONKey("HysteresisReading")) ?? 0
    hysteresisDuration = try decodeDuration(container, "HysteresisDuration")
    try validate()
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: HealthJSONKey.self)
    for kind in ThresholdKind.allCases {
      try container.encodeIfPresent(self[kind], forKey: HealthJSONKey(kind.redfishKey))
    }
    try container.encode(hysteresisReading, forKey: HealthJSONKey("HysteresisReading"))
    try container.encode(ISO8601Duration.format(hysteresisDuration), forKey: HealthJSONKey("HysteresisDuration"))
  }
}

/// An optional ISO 8601 duration under `key` (absent: zero).
private func decodeDuration(_ container: KeyedDecodingContainer<HealthJSONKey>, _ key: String) throws -> Duration {
  guard let text = try container.decodeIfPresent(String.self, forKey: HealthJSONKey(key)) else { return .zero }
  guard let duration = ISO8601Duration.parse(text) else { throw ThresholdsError.invalidDuration(key: key, text: text) }
  return duration
}
