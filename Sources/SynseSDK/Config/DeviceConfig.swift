public import SynseSupport

/// Device configuration, schema version 3 (docs/plugin-protocol.md §3.2.2): prototypes whose
/// instances are the actual devices.
///
/// Dynamic registrars return ``Prototype`` values built in code; files are read by
/// ``ConfigLoader``. How an instance inherits from its prototype: §3.2.3.
public struct DeviceConfig: Sendable, Equatable {
  /// One `transforms` item: apply a named function, or scale by a factor.
  public enum TransformSpec: Sendable, Equatable {
    /// `apply: <name>`: a registered ``Transform`` (`FtoC` built in); unknown names fail the
    /// device with ``ConfigError/Code/invalidDevice``.
    case apply(String)
    /// `scale: "<factor>"`: multiply, giving `float64`; the factor is text (`"1e-3"`) as in
    /// the Go SDK, `""` means 1, and 0 fails at read time.
    case scale(String)
  }

  /// `alias`: a second device name (§3.2.5); ``name`` wins over ``template``.
  public struct Alias: Sendable, Equatable {
    /// `alias.name`: used literally.
    public var name: String?
    /// `alias.template`: a Go template over the plugin metadata and the device being built
    /// (`env`, `ctx "<key>"`).
    public var template: String?
  }

  /// One device (an item of `instances`); empty values inherit from the prototype.
  public struct Instance: Sendable, Equatable {
    /// `type`: overrides the prototype's; a device needs one.
    public var type = ""
    /// `handler`: overrides the prototype's; default the resolved type.
    public var handler = ""
    /// `info`: text for people, shown as `device_info`.
    public var info = ""
    /// `tags`: `[namespace/][annotation:]label` strings (templates allowed), after the
    /// prototype's.
    public var tags: [String] = []
    /// `context`: string map merged over the prototype's and into every reading; values may
    /// be Go templates (`{{ env "NAME" }}`). Kept in file order.
    public var context: [(key: String, value: String)] = []
    /// `data`: plugin-specific settings merged over the prototype's; feeds the device ID.
    public var data: ConfigValue = .map([])
    /// `output`: a registered ``Output`` for handlers that serve many kinds of value.
    public var output = ""
    /// `sortIndex`: int32, default `0` (unset); orders Synse Server's scan.
    public var sortIndex: Int32 = 0
    /// `alias`, if any.
    public var alias: Alias?
    /// `transforms`: run after the prototype's.
    public var transforms: [TransformSpec] = []
    /// `writeTimeout`, Go duration: overrides the prototype's; default `30s`.
    public var writeTimeout: Duration?
    /// `disableInheritance`, bool, default `false`: take nothing from the prototype.
    public var disableInheritance = false
    /// `thresholds`: reading selector → Redfish-style thresholds (docs/health.md); an entry
    /// replaces the prototype's entry for the same selector.
    public var thresholds: [ReadingSelector: Thresholds] = [:]
    /// Where the instance was declared, for error messages.
    public var location = ""

    /// An empty instance.
    public init() {}

    /// Compares every setting but ``location``, context in order.
    public static func == (lhs: Instance, rhs: Instance) -> Bool {
      lhs.type == rhs.type && lhs.handler == rhs.handler && lhs.info == rhs.info && lhs.tags == rhs.tags
        && lhs.context.map(\.key) == rhs.context.map(\.key) && lhs.context.map(\.value) == rhs.context.map(\.value)
        && lhs.data == rhs.data && lhs.output == rhs.output && lhs.sortIndex == rhs.sortIndex
        && lhs.alias == rhs.alias && lhs.transforms == rhs.transforms && lhs.writeTimeout == rhs.writeTimeout
        && lhs.disableInheritance == rhs.disableInheritance && lhs.thresholds == rhs.thresholds
    }
  }

  /// An item of `devices`: settings its instances inherit.
  public struct Prototype: Sendable, Equatable {
    /// `type`: the device type, unless an instance sets one.
    public var type = ""
    /// `handler`: the handler name; default the type.
    public var handler = ""
    /// `tags`: tag strings every instance gets first.
    public var tags: [String] = []
    /// `context`: string map instances merge over.
    public var context: [(key: String, value: String)] = []
    /// `data`: map instances merge over.
    public var data: ConfigValue = .map([])
    /// `writeTimeout`, Go duration; default `30s`.
    public var writeTimeout: Duration?
    /// `transforms`: run before each instance's own.
    public var transforms: [TransformSpec] = []
    /// `thresholds`: defaults for every instance, by reading selector (docs/health.md).
    public var thresholds: [ReadingSelector: Thresholds] = [:]
    /// `instances`: the devices; a prototype without any makes none.
    public var instances: [Instance] = []

    /// An empty prototype.
    public init() {}

    /// Compares every setting, context in order.
    public static func == (lhs: Prototype, rhs: Prototype) -> Bool {
      lhs.type == rhs.type && lhs.handler == rhs.handler && lhs.tags == rhs.tags
        && lhs.context.map(\.key) == rhs.context.map(\.key) && lhs.context.map(\.value) == rhs.context.map(\.value)
        && lhs.data == rhs.data && lhs.writeTimeout == rhs.writeTimeout && lhs.transforms == rhs.transforms
        && lhs.thresholds == rhs.thresholds && lhs.instances == rhs.instances
    }
  }

  /// `devices`: the prototypes, from every file in load order.
  public var devices: [Prototype]

  /// Wraps prototypes, e.g. a registrar's.
  public init(devices: [Prototype]) {
    self.devices = devices
  }
}

extension DeviceConfig {
  /// Parses one device config file's tree.
  init(tree: ConfigValue, file: String) throws(ConfigError) {
    let root = ConfigReader(tree, file: file)
    guard let list = root.child("devices") else {
      self.init(devices: [])
      return
    }
    guard case .list(let items) = list.value else { throw root.error("devices", "expected a list of device prototypes") }
    var prototypes: [Prototype] = []
    for (index, item) in items.enumerated() {
      prototypes.append(try Self.prototype(ConfigReader(item, file: file, path: "devices[\(index)]")))
    }
    self.init(devices: prototypes)
  }

  private static func prototype(_ reader: ConfigReader) throws(ConfigError) -> Prototype {
    guard case .map = reader.value else { throw ConfigError(.invalidValue, file: reader.file, key: reader.path, message: "expected a mapping") }
    var proto = Prototype()
    proto.type = try reader.string("type") ?? ""
    proto.handler = try reader.string("handler") ?? ""
    proto.tags = try reader.strings("tags") ?? []
    proto.context = try context(reader)
    proto.data = try data(reader)
    proto.writeTimeout = try reader.duration("writeTimeout")
    proto.transforms = try transforms(reader)
    proto.thresholds = try thresholdsSection(reader)
    if let instances = reader.child("instances") {
      guard case .list(let items) = instances.value else { throw reader.error("instances", "expected a list") }
      for (index, item) in items.enumerated() {
        let path = "\(reader.path).instances[\(index)]"
        proto.instances.append(try instance(ConfigReader(item, file: reader.file, path: path)))
      }
    }
    return proto
  }

  private static func instance(_ reader: ConfigReader) throws(ConfigError) -> Instance {
    guard case .map = reader.value else { throw ConfigError(.invalidValue, file: reader.file, key: reader.path, message: "expected a mapping") }
    var instance = Instance()
    instance.location = "\(reader.file ?? "?") at \(reader.path)"
    instance.type = try reader.string("type") ?? ""
    instance.handler = try reader.string("handler") ?? ""
    instance.info = try reader.string("info") ?? ""
    instance.tags = try reader.strings("tags") ?? []
    instance.context = try context(reader)
    instance.data = try data(reader)
    instance.output = try reader.string("output") ?? ""
    if let index = try reader.int("sortIndex") {
      guard let value = Int32(exactly: index) else { throw reader.error("sortIndex", "out of range for int32") }
      instance.sortIndex = value
    }
    if let alias = reader.child("alias") {
      instance.alias = Alias(name: try alias.string("name"), template: try alias.string("template"))
    }
    instance.transforms = try transforms(reader)
    instance.writeTimeout = try reader.duration("writeTimeout")
    instance.disableInheritance = try reader.bool("disableInheritance") ?? false
    instance.thresholds = try thresholdsSection(reader)
    return instance
  }

  private static func context(_ reader: ConfigReader) throws(ConfigError) -> [(key: String, value: String)] {
    guard let child = reader.child("context") else { return [] }
    guard let pairs = child.value.mapPairs else { throw reader.error("context", "expected a mapping of strings") }
    var result: [(key: String, value: String)] = []
    for (key, value) in pairs {
      guard let text = value.weakString else { throw child.error(key, "expected a string value") }
      // A hand-written `synse.thresholds` is checked as the section is; a templated one when
      // the device is built.
      if key == ThresholdsMetadata.key, !text.contains("{{") {
        _ = try thresholds(json: text, file: reader.file, key: "\(child.path).\(key)")
      }
      result.append((key, text))
    }
    return result
  }

  private static func thresholdsSection(_ reader: ConfigReader) throws(ConfigError) -> [ReadingSelector: Thresholds] {
    guard let child = reader.child("thresholds") else { return [:] }
    return try thresholds(child.value, file: reader.file, key: child.path)
  }

  private static func data(_ reader: ConfigReader) throws(ConfigError) -> ConfigValue {
    guard let child = reader.child("data") else { return .map([]) }
    guard case .map = child.value else { throw reader.error("data", "expected a mapping") }
    return child.value
  }

  private static func transforms(_ reader: ConfigReader) throws(ConfigError) -> [TransformSpec] {
    guard let child = reader.child("transforms") else { return [] }
    guard case .list(let items) = child.value else { throw reader.error("transforms", "expected a list") }
    var result: [TransformSpec] = []
    for (index, item) in items.enumerated() {
      let entry = ConfigReader(item, file: reader.file, path: "\(child.path)[\(index)]")
      let apply = try entry.string("apply")
      let scale = try entry.string("scale")
      switch (apply, scale) {
      case (let name?, nil): result.append(.apply(name))
      case (nil, let factor?): result.append(.scale(factor))
      default:
        throw ConfigError(.invalidValue, file: reader.file, key: entry.path, message: "a transform needs exactly one of 'apply' or 'scale'")
      }
    }
    return result
  }
}
