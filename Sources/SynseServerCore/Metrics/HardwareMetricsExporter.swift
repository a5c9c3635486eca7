public import CoreMetrics
public import ServiceLifecycle

/// Every active plugin's readings as `hw.*` instruments (``HardwareConventions``) of an OTLP
/// metrics factory, sampled once per export interval with the Prometheus readings exporter's
/// per-plugin deadline (`metrics.readings_timeout`), and sensor health as `hw.status`.
///
/// A plugin that misses the deadline keeps its last values until it answers again; a device
/// that is gone has its instruments removed, so the gateway stops receiving them.
public struct HardwareMetricsExporter: Service {
  let commands: Commands
  let factory: any MetricsFactory
  let interval: Duration

  public init(commands: Commands, factory: any MetricsFactory, interval: Duration) {
    self.commands = commands
    self.factory = factory
    self.interval = interval
  }

  public func run() async throws {
    let instruments = HardwareInstruments(factory: factory)
    try? await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        await instruments.update(with: commands.hardwareSamples())
        try await Task.sleep(for: interval)
      }
    }
  }
}

/// One value for one instrument and attribute set.
struct HardwareSample {
  let instrument: HardwareConventions.Instrument
  let attributes: [(String, String)]
  let value: Double
  let plugin: String
}

extension Commands {
  /// This moment's `hw.*` samples, and the plugins that answered (whose missing series are gone).
  func hardwareSamples() async -> (samples: [HardwareSample], answered: Set<String>) {
    let scrapes = await currentReadings(timeout: configuration.metrics.readingsTimeout)
    var series: [ReadingSeries] = []
    var instruments: [HardwareConventions.Instrument] = []
    var plugins: [String] = []
    for scrape in scrapes {
      for reading in scrape.readings ?? [] {
        guard let raw = ReadingMetrics.number(reading.value) else { continue }
        let (instrument, convert) = HardwareConventions.instrument(type: reading.type, unit: reading.unit?.name, deviceType: reading.deviceType)
        let device = devices.device(reading.device).flatMap { $0.plugin == scrape.plugin && $0.id == reading.device ? $0 : nil }
        series.append(ReadingSeries(
          name: instrument.name, help: "", labels: attributes(id: reading.device, info: reading.deviceInfo, type: reading.deviceType, plugin: scrape.plugin, device: device),
          context: reading.context, value: convert(raw)))
        instruments.append(instrument)
        plugins.append(scrape.plugin)
      }
    }
    // Several readings of one device on one instrument (a meter's voltage per leg) are told
    // apart as the Prometheus series are: by their differing context, else their position.
    ReadingSeries.distinguish(&series)
    var samples = zip(zip(series, instruments), plugins).map { pair, plugin in
      HardwareSample(instrument: pair.1, attributes: pair.0.labels, value: pair.0.value, plugin: plugin)
    }
    if live.monitor.enabled {
      samples += statusSamples()
    }
    return (samples, Set(scrapes.filter { $0.readings != nil }.map(\.plugin)))
  }

  private func attributes(id: String, info: String, type: String, plugin: String, device: DeviceRecord?) -> [(String, String)] {
    var attributes = [("hw.id", id), ("hw.name", info), ("hw.type", HardwareConventions.hwType(type)), ("hw.parent", plugin), ("synse.plugin", plugin)]
    if let location = device?.metadata.first(where: { $0.0 == "location" })?.1 { attributes.append(("sensor_location", location)) }
    return attributes
  }

  /// `hw.status` per device with evaluated sensors: its worst known health as the current
  /// state (1), the other states 0.
  private func statusSamples() -> [HardwareSample] {
    let order: [HealthState] = [.ok, .warning, .critical, .fatal]
    var worst: [String: (plugin: String, health: HealthState)] = [:]
    for sensor in live.monitor.sensors where sensor.health != .unknown {
      let current = worst[sensor.device]
      if current == nil || order.firstIndex(of: sensor.health)! > order.firstIndex(of: current!.health)! {
        worst[sensor.device] = (sensor.plugin, sensor.health)
      }
    }
    let instrument = HardwareConventions.Instrument(name: "hw.status", unit: "1", counter: false, description: "Operational status: 1 (true) or 0 (false) for each of the possible states")
    return worst.sorted { $0.key < $1.key }.flatMap { id, entry in
      let device = devices.device(id).flatMap { $0.plugin == entry.plugin && $0.id == id ? $0 : nil }
      let base = attributes(id: id, info: device?.info ?? "", type: device?.type ?? "", plugin: entry.plugin, device: device)
      return HardwareConventions.statusStates.map { state, healths in
        HardwareSample(instrument: instrument, attributes: base + [("hw.state", state)], value: healths.contains(entry.health) ? 1 : 0, plugin: entry.plugin)
      }
    }
  }
}

/// The live instruments, by instrument name and attribute set.
actor HardwareInstruments {
  private let factory: any MetricsFactory
  private var gauges: [String: (handler: any RecorderHandler, plugin: String)] = [:]
  private var counters: [String: (handler: any FloatingPointCounterHandler, plugin: String, total: Double)] = [:]

  init(factory: any MetricsFactory) {
    self.factory = factory
  }

  func update(with sampled: (samples: [HardwareSample], answered: Set<String>)) {
    var seen: Set<String> = []
    for sample in sampled.samples {
      let dimensions = [("unit", sample.instrument.unit), ("description", sample.instrument.description)] + sample.attributes
      let key = ([sample.instrument.name] + sample.attributes.sorted { $0.0 < $1.0 }.flatMap { [$0.0, $0.1] }).joined(separator: "\u{0}")
      guard seen.insert(key).inserted else { continue }
      if sample.instrument.counter {
        var entry = counters[key] ?? (factory.makeFloatingPointCounter(label: sample.instrument.name, dimensions: dimensions), sample.plugin, 0)
        if sample.value < entry.total {
          // A meter that was reset: a new counter (a new start time), as the conventions expect.
          factory.destroyFloatingPointCounter(entry.handler)
          entry = (factory.makeFloatingPointCounter(label: sample.instrument.name, dimensions: dimensions), sample.plugin, 0)
        }
        entry.handler.increment(by: sample.value - entry.total)
        entry.total = sample.value
        counters[key] = entry
      } else {
        let entry = gauges[key] ?? (factory.makeRecorder(label: sample.instrument.name, dimensions: dimensions, aggregate: false), sample.plugin)
        entry.handler.record(sample.value)
        gauges[key] = entry
      }
    }
    // Gone: not seen this time from a plugin that answered, or from a plugin no longer asked.
    for (key, entry) in gauges where !seen.contains(key) && sampled.answered.contains(entry.plugin) {
      factory.destroyRecorder(entry.handler)
      gauges[key] = nil
    }
    for (key, entry) in counters where !seen.contains(key) && sampled.answered.contains(entry.plugin) {
      factory.destroyFloatingPointCounter(entry.handler)
      counters[key] = nil
    }
  }
}
