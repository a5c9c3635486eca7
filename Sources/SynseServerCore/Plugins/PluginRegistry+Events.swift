extension PluginRegistry {
  /// Publishes `plugin.active` (registered, or reachable again) or `plugin.inactive` (a call or
  /// probe failed, or another plugin took its address) for `handle`; callers announce only
  /// real changes of the active flag. Data: `plugin` (ID), `tag`, `name`, `address`, and for
  /// `plugin.inactive` the `reason` (the failed call's error).
  func announce(_ handle: PluginHandle, active: Bool, reason: String? = nil) {
    guard let events else { return }
    var fields: [(String, JSONValue)] = [
      ("plugin", .string(handle.id)), ("tag", .string(handle.metadata.tag)), ("name", .string(handle.metadata.name)),
      ("address", .string("\(handle.endpoint)")),
    ]
    if let reason { fields.append(("reason", .string(reason))) }
    events.publish(active ? .pluginActive : .pluginInactive, plugin: handle.id, fields: fields)
  }
}
