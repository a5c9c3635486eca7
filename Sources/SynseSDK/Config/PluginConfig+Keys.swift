extension PluginConfig {
  /// Every plugin config key but `network.*` and `dynamicRegistration.config`: the one place a
  /// key is named. Types and defaults come from the fields; names are the Go SDK's
  /// (docs/plugin-protocol.md §3.1.2) except the marked extensions.
  ///
  /// Each key can also be set as `PLUGIN_` + the path in capitals with `_` for `.`
  /// (`PLUGIN_SETTINGS_READ_INTERVAL=2s`), overriding the files (§3.1.1); so a key never
  /// contains `_`. Meanings here are one line; the fields' doc comments give the why.
  static let keys: [PluginConfigKey] = [
    .init("version", \.version, "config schema major version; `3` in practice; not validated"),
    .init("debug", \.debug, "debug logging"),
    .init("id.usePluginTag", \.id.usePluginTag, "include the plugin tag in the plugin ID"),
    .init("id.useMachineID", \.id.useMachineID, "include the protected machine ID"),
    .init("id.useEnv", \.id.useEnv, "names of variables whose values are included"),
    .init("id.useCustom", \.id.useCustom, "literal strings included"),
    .init("metrics.enabled", \.metricsEnabled, "Prometheus metrics on `metrics.address`"),
    .init("metrics.address", \.metricsAddress, "where plugin metrics are served (an extension; the Go SDK's is fixed)"),
    .init("otel.enabled", \.otelEnabled, "export traces, logs and metrics over OTLP, configured by the `OTEL_*` variables (an extension)"),
    .init("settings.mode", \.mode, "`parallel` or `serial`"),
    .init("settings.read.disable", \.read.disable, "disable the read loop"),
    .init("settings.read.interval", \.read.interval, "sleep between read passes", rule: loopInterval),
    .init("settings.read.delay", \.read.delay, "sleep after each device read", rule: notNegative),
    .init("settings.read.queueSize", \.read.queueSize, "capacity of the reading queue", rule: positive),
    .init("settings.write.disable", \.write.disable, "disable the write loop"),
    .init("settings.write.interval", \.write.interval, "sleep between write passes", rule: loopInterval),
    .init("settings.write.delay", \.write.delay, "sleep after each write", rule: notNegative),
    .init("settings.write.queueSize", \.write.queueSize, "capacity of the write queue", rule: positive),
    .init("settings.write.batchSize", \.write.batchSize, "most writes in progress at once", rule: positive),
    .init("settings.transaction.ttl", \.transactionTTL, "lifetime of a transaction record", rule: notNegative),
    .init("settings.limiter.rate", \.limiterRate, "token-bucket rate (events/s) for reads and writes; 0 with burst 0 is unlimited"),
    .init("settings.limiter.burst", \.limiterBurst, "bucket size"),
    .init("settings.cache.enabled", \.cacheEnabled, "keep a windowed readings cache"),
    .init("settings.cache.ttl", \.cacheTTL, "lifetime of cached readings", rule: notNegative),
    .init("dynamicRegistration.rescanInterval", \.rescanInterval,
          "how often the dynamic registrar runs again (an extension; overrides the plugin's own)"),
    .init("health.healthFile", \.health.healthFile, "liveness file; empty disables it"),
    .init("health.updateInterval", \.health.updateInterval, "health-file refresh period", rule: loopInterval),
    .init("health.checks.disableDefaults", \.health.disableDefaultChecks, "drop the built-in queue checks"),
  ]

  private static let positive: @Sendable (Int) -> String? = { $0 > 0 ? nil : "must be positive" }
  /// A loop's sleep: zero or less would spin the loop and pin a core.
  private static let loopInterval: @Sendable (Duration) -> String? = { $0 > .zero ? nil : "must be greater than 0 (a loop with no sleep pins a core)" }
  private static let notNegative: @Sendable (Duration) -> String? = { $0 >= .zero ? nil : "must not be negative" }
}
