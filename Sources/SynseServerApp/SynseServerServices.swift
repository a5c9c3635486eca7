public import Logging
public import ServiceLifecycle
import SynseServer
import SynseServerCore
public import SynseTelemetry
import Systemd

/// The composition root of synse-server: loads the configuration, then builds every part
/// (metrics, plugin registry, caches, commands, plugin maintenance, the HTTP listeners,
/// embedded plugins, systemd notification, the shutdown deadline) and hands them back as
/// the services of one `ServiceGroup`.
///
/// ```swift
/// let server = try SynseServerServices(configPath: nil, environment: ProcessInfo.processInfo.environment)
/// LoggingBootstrap.bootstrap(identifier: "synse-server", level: server.logLevel)
/// let logger = Logger(label: "synse-server")
/// let services = try server.services(host: nil, port: nil, logger: logger)
/// try await ServiceGroup(configuration: .init(services: services, logger: logger)).run()
/// ```
///
/// Two steps, because logging is set up from the configuration before any logger exists.
public struct SynseServerServices: Sendable {
  let configuration: ServerConfiguration
  /// OTLP export (`otel.enabled`): logging, tracing and the services that send.
  public let telemetry: Telemetry?

  /// Loads the configuration from `configPath` (nil: the default locations) and the
  /// `SYNSE_*` variables of `environment`.
  ///
  /// - Throws: ``SynseServerFailure`` with exit code 2 and the configuration error as message.
  public init(configPath: String?, environment: [String: String]) throws(SynseServerFailure) {
    do {
      configuration = try ServerConfiguration.load(path: configPath, environment: environment)
    } catch {
      throw SynseServerFailure(exitCode: 2, message: "\(error)")
    }
    do {
      telemetry = configuration.otel.enabled
        ? try Telemetry(serviceName: "synse-server", attributes: configuration.otel.resourceAttributes, environment: environment) : nil
    } catch {
      throw SynseServerFailure(exitCode: 2, message: "invalid OpenTelemetry configuration (the OTEL_* variables): \(error)")
    }
  }

  /// Logging to stderr or the journal, and with `otel.enabled` to OTLP too, with the current
  /// span's trace and span IDs on every line; the process's tracer. Once, before any logger.
  public func bootstrapLogging(identifier: String) {
    LoggingBootstrap.bootstrap(
      identifier: identifier, level: logLevel, also: telemetry?.logHandler, metadataProvider: telemetry.map { _ in Telemetry.metadataProvider })
    telemetry?.bootstrapTracing()
  }

  /// Checks that jwt-kit can use the configured JWT keys (`auth.jwt.*`), which the
  /// configuration could only parse.
  ///
  /// - Returns: ``SynseServerFailure`` with exit code 2 naming the key file, or nil. (Returned,
  ///   not thrown: as an `async throws(SynseServerFailure)` method, Swift 6.3.1 built a server
  ///   that crashed destroying this struct at exit, one stop in two.)
  public func checkAuthentication() async -> SynseServerFailure? {
    let jwt = configuration.auth.jwt
    guard let problem = await Authenticator(configuration: configuration).keyProblem() else { return nil }
    return SynseServerFailure(exitCode: 2, message: "invalid configuration: the JWT keys of \(jwt.jwksFile ?? jwt.publicKeyFile ?? "") cannot be used: \(problem)")
  }

  /// The `logging` key as a swift-log level.
  public var logLevel: Logger.Level {
    switch configuration.logging {
    case .debug: .debug
    case .info: .info
    case .warning: .warning
    case .error: .error
    case .critical: .critical
    }
  }

  /// Every service of the server, in start order (graceful shutdown runs in reverse); `host`
  /// and `port` (the command-line flags) win over the configuration. Warns about unknown
  /// configuration keys first.
  ///
  /// - Throws: ``SynseServerFailure`` (exit 2, logged as critical) for an unknown embedded
  ///   plugin, an unusable `metrics.statsd.address` or unreadable `ssl.cert`/`ssl.key`;
  ///   an embedded plugin's own configuration error as it is.
  public func services(host: String?, port: Int?, logger: Logger) throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
    for warning in configuration.unknownKeyWarnings { logger.warning("\(warning)") }
    logAuthentication(logger)
    DescriptorLimit.raise(for: configuration.http.maxConnections, logger: logger)
    let embedded = try EmbeddedPlugin.make(names: configuration.plugin.embedded, continuingTraces: telemetry != nil, logger: logger)
    let metrics = try makeMetrics(logger: logger)
    let connections = PluginConnections()
    // One feed: the registry publishes plugin state changes, commands the rest.
    let events = EventJournal(capacity: configuration.events.journalSize)
    let registry = PluginRegistry(
      configuration: configuration, clients: GRPCPluginClientFactory(configuration: configuration, embedded: embedded.clients, metrics: metrics),
      connections: connections, logger: logger, metrics: metrics, events: events)
    let devices = DeviceCache(logger: logger, metrics: metrics)
    let commands = Commands(
      configuration: configuration, registry: registry, devices: devices,
      transactions: TransactionCache(ttl: configuration.cache.transactionTTL), logger: logger, events: events,
      health: HealthMonitor(
        enabled: configuration.health.enabled, unknownAfter: configuration.health.unknownAfter,
        resolver: ThresholdResolver(configuration: configuration), devices: devices, events: events, metrics: metrics, logger: logger))
    let maintenance = PluginMaintenance(registry: registry, devices: devices, configuration: configuration, logger: logger)
    let listeners = try Listeners(
      commands: commands, configuration: configuration, host: host ?? configuration.http.host, port: port ?? configuration.http.port,
      metrics: metrics, logger: logger)
    // First, so that they stop last and send what the others logged and traced on the way out.
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = (telemetry?.services ?? []).map { .init(service: $0) }
    services += embedded.services.map { .init(service: $0) }
    services += [.init(service: connections), .init(service: maintenance), .init(service: LiveFeeds(commands: commands))]
    services += listeners.services.map { .init(service: $0) }
    if let telemetry {
      services.append(.init(service: HardwareMetricsExporter(commands: commands, factory: telemetry.metrics, interval: telemetry.metricExportInterval)))
    }
    if !configuration.webhooks.destinations.isEmpty {
      services.append(.init(service: WebhookService(destinations: configuration.webhooks.destinations, journal: events, metrics: metrics, logger: logger)))
    }
    let systemd = SystemdNotifier.server(
      listening: listeners.listening, listeners: listeners.services.count, registry: registry, devices: devices,
      address: listeners.address, logger: logger)
    services.append(.init(service: systemd, successTerminationBehavior: .ignore))
    // Last, so that graceful shutdown (in reverse order) starts its clock first.
    services.append(.init(service: ShutdownDeadline(limit: .seconds(8), logger: logger), successTerminationBehavior: .ignore))
    return services
  }

  /// One line saying whether authentication is on and with what, so an operator can tell it
  /// took; warnings for settings that do less than they seem to.
  private func logAuthentication(_ logger: Logger) {
    let auth = configuration.auth
    var sources: [String] = []
    if !auth.tokens.entries.isEmpty { sources.append("\(auth.tokens.entries.count) static token\(auth.tokens.entries.count == 1 ? "" : "s") from \(auth.tokensFile ?? "")") }
    if auth.jwt.isEnabled {
      sources.append("JWTs from issuer '\(auth.jwt.issuer ?? "")' for audience '\(auth.jwt.audience ?? "")' (\(auth.jwt.jwksFile ?? auth.jwt.publicKeyFile ?? ""))")
    }
    if !auth.clientCertificates.entries.isEmpty {
      sources.append("\(auth.clientCertificates.entries.count) client certificate entr\(auth.clientCertificates.entries.count == 1 ? "y" : "ies") (CAs of \(configuration.ssl.clientCA ?? ""))")
    }
    if sources.isEmpty {
      logger.info("authentication off: every request is allowed (set auth.tokens_file, auth.jwt.* or auth.client_certificates to turn it on)")
    } else {
      logger.info("authentication on: \(sources.joined(separator: " and ")); /test needs none")
      if configuration.metrics.enabled && configuration.metrics.token == nil && configuration.metrics.username == nil {
        logger.warning("/metrics is open to anyone (device readings included): set metrics.auth.token or metrics.auth.username/password")
      }
    }
    if configuration.writes.burst != nil && configuration.writes.rateLimit == 0 {
      logger.warning("writes.burst does nothing without writes.rate_limit")
    }
  }

  /// Server metrics when `metrics.enabled`, with a StatsD sink when `metrics.statsd.address` is set.
  private func makeMetrics(logger: Logger) throws(SynseServerFailure) -> ServerMetrics? {
    guard configuration.metrics.enabled else { return nil }
    var statsd: [StatsDMetricsFactory] = []
    if let address = configuration.metrics.statsdAddress {
      guard let factory = StatsDMetricsFactory(address: address, prefix: configuration.metrics.statsdPrefix) else {
        logger.critical("metrics.statsd.address '\(address)' is not a reachable host:port")
        throw SynseServerFailure(exitCode: 2)
      }
      statsd.append(factory)
    }
    // With otel.enabled the server's own metrics go to OTLP too.
    let otlp = telemetry.map { [$0.metrics] } ?? []
    return ServerMetrics(ipLabel: configuration.metrics.ipLabel, additionalFactories: statsd + otlp, exportFailures: telemetry?.failures)
  }
}
