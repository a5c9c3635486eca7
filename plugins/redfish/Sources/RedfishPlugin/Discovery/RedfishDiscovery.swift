public import Logging
import Synchronization

/// What the walks of one BMC learn about it, kept by the caller from poll to poll (one per
/// endpoint): whether the service refused `$expand` although it advertises it (sushy-static
/// does), so later walks do not spend a request asking again; and which legacy members were
/// found to be a `Sensor`'s twin, so a walk in which that `Sensor` fails does not bring the
/// twin back as a device of its own (its ID would replace the sensor's until the next walk).
public final class RedfishWalkMemory: Sendable {
  private let refused = Mutex(false)
  private let twins = Mutex<Set<String>>([])

  public init() {}

  /// True once a walk saw `$expand` refused.
  public var expandRefused: Bool { refused.withLock { $0 } }

  func refuseExpand() { refused.withLock { $0 = true } }

  /// Keys of legacy points an earlier walk matched to a `Sensor` (``LegacyMatch``).
  var legacyTwins: Set<String> { twins.withLock { $0 } }

  func rememberTwins(_ keys: [String]) {
    guard !keys.isEmpty else { return }
    twins.withLock { $0.formUnion(keys) }
  }
}

/// Walks a Redfish service from its root (DSP0266 §9.1) and returns every sensor and control as
/// a ``RedfishInventory``. Discovery and every poll are this same walk, so device keys and
/// order come out the same each time the service reports the same resources.
public enum RedfishDiscovery {
  /// Walks the service behind `transport`:
  /// - every `Chassis` (collections paged with `Members@odata.nextLink`): its `Sensors`
  ///   (Sensor v1_x), legacy `Thermal` (`Temperatures`, `Fans`) and `Power` (`Voltages`,
  ///   `PowerSupplies`, `PowerControl`) members that are not already a Sensor (``LegacyMatch``),
  ///   and its `IndicatorLED`/`LocationIndicatorActive` as an `led` point;
  /// - every `ComputerSystem`: `PowerState` with `#ComputerSystem.Reset`, and its LED;
  /// - every rack PDU (`PowerEquipment/RackPDUs`): `Mains`, `Branches` and `Outlets` readings,
  ///   outlet `PowerState` with `#Outlet.PowerControl`.
  ///
  /// Collections are asked with `$expand=.($levels=1)` when `ProtocolFeaturesSupported.ExpandQuery`
  /// offers it (one request per collection instead of one per member); members that come back
  /// as links anyway are fetched one by one. Units, types and thresholds: ``ReadingKind``,
  /// ``ThresholdMapping``; context and tags: ``PointFactory``. Points are sorted by key.
  ///
  /// - Parameter memory: the BMC's ``RedfishWalkMemory``, to skip `$expand` after a refusal;
  ///   nil asks again on each walk (one wasted request per walk on such a service).
  /// - Returns: the inventory; `problems` (sorted) names each resource skipped (transport error, 404,
  ///   malformed JSON, wrong shape, invalid thresholds) and why; `requestCount` is the number
  ///   of requests made.
  /// - Throws: ``RedfishError`` only when the service root fails: the transport's error
  ///   (unreachable, timeout, unauthorized, status), or `.malformed` "not a Redfish service
  ///   root" for a body that is not one.
  public static func walk(
    _ transport: any RedfishTransport, logger: Logger, memory: RedfishWalkMemory? = nil
  ) async throws(RedfishError) -> RedfishInventory {
    let fetcher = DiscoveryFetcher(transport: transport, logger: logger, memory: memory)
    let rootPath = "/redfish/v1"
    let body = try await fetcher.get(rootPath).body
    let root: ServiceRoot
    do { root = try fetcher.decode(body, as: ServiceRoot.self) } catch {
      throw notRedfish(transport, rootPath, DecodeProblem.describe(error, body: body))
    }
    guard root.isServiceRoot else { throw notRedfish(transport, rootPath, "no RedfishVersion or #ServiceRoot @odata.type") }
    fetcher.setExpandQuery(memory?.expandRefused == true ? nil : root.expandQuery)

    var points: [RedfishPoint] = []
    if let chassisPath = root.Chassis?.id {
      let walk = ChassisWalk(fetcher: fetcher)
      for (link, chassis) in await fetcher.collection(chassisPath, of: ChassisResource.self) {
        points += await walk.points(of: chassis, at: link)
      }
    }
    let controls = ControlWalk(fetcher: fetcher)
    if let systemsPath = root.Systems?.id {
      for (link, system) in await fetcher.collection(systemsPath, of: SystemResource.self) {
        points += await controls.points(of: system, at: link)
      }
    }
    if let equipment = root.PowerEquipment?.id,
      let rackPDUs = await fetcher.fetch(equipment, as: PowerEquipmentResource.self)?.RackPDUs?.id
    {
      let known = Set(points.map(\.key))
      for (link, pdu) in await fetcher.collection(rackPDUs, of: PowerDistributionResource.self) {
        points += await controls.points(of: pdu, at: link, known: known)
      }
    }
    // A sensor listed in two chassis' collections is one point.
    var seen: Set<String> = []
    points = points.filter { seen.insert($0.key).inserted }.sorted { $0.key < $1.key }
    return RedfishInventory(
      serviceUUID: root.UUID ?? transport.endpoint, points: points, problems: fetcher.problems.sorted(),
      requestCount: fetcher.requestCount)
  }

  private static func notRedfish(_ transport: any RedfishTransport, _ path: String, _ reason: String) -> RedfishError {
    RedfishError(.malformed, endpoint: transport.endpoint, path: path, message: "not a Redfish service root (\(reason))")
  }
}
