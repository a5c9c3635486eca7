/// A device as a plugin reported it, kept in the device cache (docs/api-v3.md §3.2, §3.3).
public struct DeviceRecord: Sendable {
  public struct Output: Sendable {
    public var name: String
    public var type: String
    public var precision: Int32
    public var scalingFactor: Double
    public var unit: (name: String, symbol: String)?
  }

  public struct Capabilities: Sendable {
    public var mode: String
    /// `nil` when the plugin sent no `write` capability.
    public var writeActions: [String]?
  }

  public var timestamp: String
  public var id: String
  public var type: String
  public var plugin: String
  public var info: String
  public var alias: String
  public var sortIndex: Int32
  public var metadata: [(String, String)]
  public var capabilities: Capabilities?
  /// Rendered `namespace/annotation:label` strings in the plugin's order.
  public var tags: [String]
  public var outputs: [Output]
  /// ``summaryJSON`` rendered once, when the device cache is rebuilt.
  public var renderedSummary: JSONFragment?

  /// The scan item (DeviceSummary): exactly seven keys.
  public var summaryJSON: JSONValue {
    .object([
      ("id", .string(id)), ("alias", .string(alias)), ("info", .string(info)), ("type", .string(type)),
      ("plugin", .string(plugin)), ("tags", .array(tags.map(JSONValue.string))),
      ("metadata", .object(metadata.map { ($0.0, .string($0.1)) })),
    ])
  }

  /// The `/v3/info` body (DeviceInfo): top-level snake_case, nested protobuf camelCase.
  public var infoJSON: JSONValue {
    var pairs: [(String, JSONValue)] = [
      ("timestamp", .string(timestamp)), ("id", .string(id)), ("type", .string(type)), ("plugin", .string(plugin)),
      ("info", .string(info)), ("alias", .string(alias)), ("sort_index", .int(Int64(sortIndex))),
      ("metadata", .object(metadata.map { ($0.0, .string($0.1)) })),
    ]
    if let capabilities {
      var capability: [(String, JSONValue)] = [("mode", .string(capabilities.mode))]
      if let actions = capabilities.writeActions {
        capability.append(("write", .object([("actions", .array(actions.map(JSONValue.string)))])))
      }
      pairs.append(("capabilities", .object(capability)))
    }
    pairs.append(("tags", .array(tags.map(JSONValue.string))))
    pairs.append(("outputs", .array(outputs.map { output in
      var fields: [(String, JSONValue)] = [
        ("name", .string(output.name)), ("type", .string(output.type)), ("precision", .int(Int64(output.precision))),
        ("scalingFactor", .double(output.scalingFactor)),
      ]
      if let unit = output.unit { fields.append(("unit", .object([("name", .string(unit.name)), ("symbol", .string(unit.symbol))]))) }
      return .object(fields)
    })))
    return .object(pairs)
  }
}
