import SynseSupport

/// Turns prototypes and instances into ``Device``s (docs/plugin-protocol.md §3.2.3).
struct DeviceBuilder {
  let pluginID: String
  let pluginTag: String
  let pluginName: String
  let handlers: [String: DeviceHandler]
  let outputs: [String: Output]
  let transforms: [String: Transform]
  let environment: [String: String]
  let identifier: @Sendable (ConfigValue) -> String

  /// Builds every configured device; all problems are collected into one error.
  func build(_ config: DeviceConfig) throws(ConfigError) -> [Device] {
    var devices: [Device] = []
    var problems: [String] = []
    var ids: Set<String> = []
    var aliases: Set<String> = []
    for prototype in config.devices {
      for instance in prototype.instances {
        do throws(ConfigError) {
          let device = try build(prototype: prototype, instance: instance)
          guard ids.insert(device.id).inserted else {
            throw ConfigError(.invalidDevice, message: "conflict: device id already exists (\(device.id))")
          }
          if !device.alias.isEmpty, !aliases.insert(device.alias).inserted {
            throw ConfigError(.invalidDevice, message: "conflict: device alias '\(device.alias)' already exists")
          }
          devices.append(device)
        } catch {
          problems.append("\(instance.location): \(error.message)")
        }
      }
    }
    guard problems.isEmpty else {
      throw ConfigError(.invalidDevice, message: "failed to create devices:\n  " + problems.joined(separator: "\n  "))
    }
    return devices
  }

  private func build(prototype: DeviceConfig.Prototype, instance: DeviceConfig.Instance) throws(ConfigError) -> Device {
    let inherit = !instance.disableInheritance
    var data = inherit ? prototype.data : .map([])
    data = data.merged(with: instance.data)
    var contextPairs = inherit ? prototype.context : []
    contextPairs += instance.context

    var tags: [Tag] = []
    var seenTags: Set<String> = []
    for raw in (inherit ? prototype.tags : []) + instance.tags where seenTags.insert(raw).inserted {
      let rendered = try GoTemplate(environment: environment, context: [:], fields: [:]).render(raw)
      tags.append(try Tag(parsing: rendered))
    }

    let type = instance.type.isEmpty ? (inherit ? prototype.type : "") : instance.type
    guard !type.isEmpty else { throw ConfigError(.invalidDevice, message: "device has no type") }
    let handlerName = !instance.handler.isEmpty ? instance.handler : (inherit && !prototype.handler.isEmpty ? prototype.handler : type)
    guard handlers[handlerName] != nil else {
      throw ConfigError(.invalidDevice, message: "no handler named '\(handlerName)' is registered")
    }
    var output: Output?
    if !instance.output.isEmpty {
      guard let found = outputs[instance.output] else {
        throw ConfigError(.invalidDevice, message: "no output named '\(instance.output)' is registered")
      }
      output = found
    }
    var deviceTransforms: [Transform] = []
    for spec in (inherit ? prototype.transforms : []) + instance.transforms {
      switch spec {
      case .scale(let factor): deviceTransforms.append(try Transform.scale(factor))
      case .apply(let name):
        guard let transform = transforms[name] else {
          throw ConfigError(.invalidDevice, message: "no transform function named '\(name)' is registered")
        }
        deviceTransforms.append(transform)
      }
    }
    let writeTimeout = instance.writeTimeout ?? (inherit ? prototype.writeTimeout : nil) ?? .seconds(30)

    var context: [String: String] = [:]
    let contextTemplate = GoTemplate(environment: environment, context: [:], fields: [:])
    for (key, value) in contextPairs { context[key] = try contextTemplate.render(value) }
    let thresholds = try thresholds(prototype: inherit ? prototype.thresholds : [:], instance: instance.thresholds, context: &context)

    var alias = ""
    if let spec = instance.alias {
      if let name = spec.name, !name.isEmpty {
        alias = name
      } else if let template = spec.template {
        let fields = [
          ".Meta.Name": pluginName, ".Meta.Tag": pluginTag, ".Device.Type": type,
          ".Device.Info": instance.info, ".Device.Handler": handlerName,
        ]
        alias = try GoTemplate(environment: environment, context: context, fields: fields).render(template)
      }
    }

    let id = DeviceIdentifier.deviceID(pluginID: pluginID, type: type, handler: handlerName, component: identifier(data))
    tags.append(Tag(namespace: "system", annotation: "id", label: id))
    tags.append(Tag(namespace: "system", annotation: "type", label: type))
    return Device(
      id: id, type: type, handler: handlerName, info: instance.info, alias: alias, tags: tags, data: data,
      context: context, output: output, sortIndex: instance.sortIndex, writeTimeout: writeTimeout,
      transforms: deviceTransforms, thresholds: thresholds)
  }

  /// A device's thresholds, per reading selector, lowest precedence first: a `synse.thresholds`
  /// context entry written by hand (taken out of the context, so readings do not carry it), the
  /// prototype's `thresholds`, the instance's. An entry replaces a lower one whole, so every
  /// entry stays as validated.
  private func thresholds(
    prototype: [ReadingSelector: Thresholds], instance: [ReadingSelector: Thresholds], context: inout [String: String]
  ) throws(ConfigError) -> [ReadingSelector: Thresholds] {
    var result: [ReadingSelector: Thresholds] = [:]
    if let text = context.removeValue(forKey: ThresholdsMetadata.key) {
      do {
        result = try DeviceConfig.thresholds(json: text, file: nil, key: "context.\(ThresholdsMetadata.key)")
      } catch {
        throw ConfigError(.invalidDevice, message: "\(error.key ?? ""): \(error.message)")
      }
    }
    result.merge(prototype) { $1 }
    result.merge(instance) { $1 }
    return result
  }
}
