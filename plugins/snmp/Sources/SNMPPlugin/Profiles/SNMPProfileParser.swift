import Foundation
public import SynseSDK
import SynseSupport
import Yams

/// Reads profile YAML (docs/snmp.md, "Profiles") into ``SNMPProfile``s, refusing unknown keys,
/// malformed OIDs, unknown outputs and duplicate device keys with a ``ConfigError`` naming the
/// file and key path.
public enum SNMPProfileParser {
  static let profileKeys = ["name", "description", "sysObjectID", "probe", "devices"]
  static let deviceKeys = ["key", "type", "output", "info", "rows", "value", "scale", "label", "states", "thresholds", "write", "entitySensor", "fahrenheitWhen"]

  /// - Parameter outputs: the SDK's outputs by name, which `output:` must name.
  public static func parse(_ text: String, file: String, outputs: [String: Output]) throws(ConfigError) -> SNMPProfile {
    let root: Node?
    do { root = try Yams.compose(yaml: text) } catch {
      throw ConfigError(.invalidFile, file: file, message: "not valid YAML: \((error as? YamlError)?.oneLine ?? "\(error)")")
    }
    let reader = Reader(file: file, outputs: outputs)
    guard let root, let mapping = root.mapping else { throw ConfigError(.invalidFile, file: file, message: "a profile is a mapping with the keys \(profileKeys.joined(separator: ", "))") }
    try reader.checkKeys(mapping, profileKeys, at: "")
    let name = try reader.string(mapping["name"], at: "name")
    guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
      throw reader.error("name", "expected letters, digits, - and _")
    }
    let description = try mapping["description"].map { node throws(ConfigError) in try reader.string(node, at: "description") } ?? ""
    var prefixes: [OID] = []
    for (index, node) in (mapping["sysObjectID"]?.sequence.map(Array.init) ?? []).enumerated() {
      prefixes.append(try reader.oid(node, at: "sysObjectID[\(index)]"))
    }
    if let node = mapping["sysObjectID"], node.sequence == nil { throw reader.error("sysObjectID", "expected a list of OID prefixes") }
    let probe = try mapping["probe"].map { node throws(ConfigError) in try reader.oid(node, at: "probe") }
    guard let deviceNodes = mapping["devices"]?.sequence, !deviceNodes.isEmpty else { throw reader.error("devices", "expected a non-empty list of devices") }
    var devices: [SNMPProfile.DeviceSpec] = []
    var keys: Set<String> = []
    for (index, node) in deviceNodes.enumerated() {
      let device = try reader.device(node, at: "devices[\(index)]")
      guard keys.insert(device.key).inserted else { throw reader.error("devices[\(index)].key", "'\(device.key)' is already another device's key") }
      devices.append(device)
    }
    return SNMPProfile(name: name, description: description, sysObjectIDs: prefixes, probe: probe, devices: devices)
  }

  private struct Reader {
    let file: String
    let outputs: [String: Output]

    func error(_ key: String, _ message: String) -> ConfigError { ConfigError(.invalidValue, file: file, key: key, message: message) }

    func checkKeys(_ mapping: Node.Mapping, _ known: [String], at path: String) throws(ConfigError) {
      for key in mapping.keys {
        guard let name = key.string, known.contains(name) else {
          throw error(path.isEmpty ? (key.string ?? "?") : "\(path).\(key.string ?? "?")", "unknown key; expected one of \(known.joined(separator: ", "))")
        }
      }
    }

    func string(_ node: Node?, at path: String) throws(ConfigError) -> String {
      guard let scalar = node?.scalar else { throw error(path, "expected text") }
      return scalar.string
    }

    func number(_ node: Node?, at path: String) throws(ConfigError) -> Double {
      guard let text = node?.scalar?.string, let value = Double(text), value.isFinite else { throw error(path, "expected a number") }
      return value
    }

    func oid(_ node: Node?, at path: String) throws(ConfigError) -> OID {
      guard let text = node?.scalar?.string, let oid = OID(text) else { throw error(path, "expected a dotted numeric OID such as 1.3.6.1.2.1.1.2.0") }
      return oid
    }

    func device(_ node: Node, at path: String) throws(ConfigError) -> SNMPProfile.DeviceSpec {
      guard let mapping = node.mapping else { throw error(path, "expected a mapping with the keys \(SNMPProfileParser.deviceKeys.joined(separator: ", "))") }
      try checkKeys(mapping, SNMPProfileParser.deviceKeys, at: path)
      let key = try string(mapping["key"], at: "\(path).key")
      guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
        throw error("\(path).key", "expected lower-case letters, digits and -")
      }
      let entitySensor = mapping["entitySensor"]?.bool ?? false
      if let node = mapping["entitySensor"], node.bool == nil { throw error("\(path).entitySensor", "expected true or false") }
      let type = try mapping["type"].map { node throws(ConfigError) in try string(node, at: "\(path).type") } ?? (entitySensor ? "" : nil)
      let output = try mapping["output"].map { node throws(ConfigError) in try string(node, at: "\(path).output") } ?? (entitySensor ? "" : nil)
      guard let type, let output else { throw error("\(path).type", "type and output are required (unless entitySensor)") }
      if !output.isEmpty, outputs[output] == nil {
        throw error("\(path).output", "unknown output '\(output)'; expected one of \(outputs.keys.sorted().joined(separator: ", "))")
      }
      let rows = try mapping["rows"].map { node throws(ConfigError) in try oid(node, at: "\(path).rows") }
      let value = try oid(mapping["value"], at: "\(path).value")
      let scale = try mapping["scale"].map { node throws(ConfigError) in try number(node, at: "\(path).scale") } ?? 1
      guard scale != 0 else { throw error("\(path).scale", "must not be 0 (nor so small a double rounds it to 0)") }
      let label = try mapping["label"].map { node throws(ConfigError) in try oid(node, at: "\(path).label") }
      var states: [Int64: String] = [:]
      if let node = mapping["states"] {
        guard let pairs = node.mapping else { throw error("\(path).states", "expected a mapping of INTEGER values to text") }
        for (k, v) in pairs {
          guard let number = k.scalar.flatMap({ Int64($0.string) }), let text = v.scalar?.string else {
            throw error("\(path).states", "expected INTEGER: text pairs")
          }
          guard states.updateValue(text, forKey: number) == nil else { throw error("\(path).states", "\(number) is given twice") }
        }
      }
      let info = try mapping["info"].map { node throws(ConfigError) in try string(node, at: "\(path).info") } ?? key
      var placeholders = info
      for known in ["{index}", "{label}"] { placeholders = placeholders.replacingOccurrences(of: known, with: "") }
      if let open = placeholders.firstIndex(of: "{"), placeholders[open...].contains("}") {
        throw error("\(path).info", "only {index} and {label} are filled in")
      }
      return SNMPProfile.DeviceSpec(
        key: key, type: type, output: output, info: info,
        rows: rows, value: value, scale: scale, label: label, states: states,
        thresholds: try thresholds(mapping["thresholds"], at: "\(path).thresholds"),
        write: try write(mapping["write"], at: "\(path).write"), entitySensor: entitySensor,
        fahrenheitWhen: try fahrenheit(mapping["fahrenheitWhen"], at: "\(path).fahrenheitWhen"))
    }

    func thresholds(_ node: Node?, at path: String) throws(ConfigError) -> [(kind: ThresholdKind, source: SNMPProfile.ThresholdSource)] {
      guard let node else { return [] }
      guard let pairs = node.mapping else { throw error(path, "expected a mapping of Redfish threshold names") }
      var result: [(kind: ThresholdKind, source: SNMPProfile.ThresholdSource)] = []
      for (k, v) in pairs {
        let name = k.string ?? ""
        guard let kind = ThresholdKind.allCases.first(where: { $0.redfishName == name }) else {
          throw error("\(path).\(name)", "unknown threshold; expected one of \(ThresholdKind.allCases.map(\.redfishName).joined(separator: ", "))")
        }
        guard let entry = v.mapping else { throw error("\(path).\(name)", "expected {oid: …, scale: …} or {reading: …}") }
        try checkKeys(entry, ["oid", "scale", "reading"], at: "\(path).\(name)")
        if entry["reading"] != nil, entry["oid"] != nil || entry["scale"] != nil {
          throw error("\(path).\(name)", "give reading (a fixed value) or oid and scale, not both")
        }
        if let fixed = entry["reading"] {
          result.append((kind, .fixed(try number(fixed, at: "\(path).\(name).reading"))))
        } else {
          let scale = try entry["scale"].map { node throws(ConfigError) in try number(node, at: "\(path).\(name).scale") } ?? 1
          result.append((kind, .oid(try oid(entry["oid"], at: "\(path).\(name).oid"), scale: scale)))
        }
      }
      return result
    }

    func fahrenheit(_ node: Node?, at path: String) throws(ConfigError) -> (oid: OID, equals: Int64)? {
      guard let node else { return nil }
      guard let mapping = node.mapping else { throw error(path, "expected {oid: …, equals: …}") }
      try checkKeys(mapping, ["oid", "equals"], at: path)
      guard let equals = mapping["equals"]?.scalar.flatMap({ Int64($0.string) }) else { throw error("\(path).equals", "expected an INTEGER") }
      return (try oid(mapping["oid"], at: "\(path).oid"), equals)
    }

    func write(_ node: Node?, at path: String) throws(ConfigError) -> SNMPProfile.WriteSpec? {
      guard let node else { return nil }
      guard let mapping = node.mapping else { throw error(path, "expected {oid, values, confirm}") }
      try checkKeys(mapping, ["oid", "values", "confirm"], at: path)
      let target = try oid(mapping["oid"], at: "\(path).oid")
      var values: [String: Int] = [:]
      var confirm: [String: String] = [:]
      for (k, v) in mapping["values"]?.mapping ?? [:] {
        guard let name = k.string, let number = v.scalar.flatMap({ Int($0.string) }) else { throw error("\(path).values", "expected data: INTEGER pairs") }
        values[name] = number
      }
      for (k, v) in mapping["confirm"]?.mapping ?? [:] {
        guard let name = k.string, let text = v.scalar?.string else { throw error("\(path).confirm", "expected data: reading pairs") }
        confirm[name] = text
      }
      guard !values.isEmpty else { throw error("\(path).values", "expected at least one data: INTEGER pair") }
      // Write data is matched ignoring case: two values alike but for case could not be told apart.
      guard Set(values.keys.map { $0.lowercased() }).count == values.count else { throw error("\(path).values", "two values differ only in case") }
      if let stray = confirm.keys.first(where: { values[$0] == nil }) { throw error("\(path).confirm", "'\(stray)' is not one of values") }
      return SNMPProfile.WriteSpec(oid: target, values: values, confirm: confirm)
    }
  }
}

extension ThresholdKind {
  /// Redfish's property name (DMTF Sensor schema, `Thresholds`): `UpperCritical` …
  var redfishName: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}
