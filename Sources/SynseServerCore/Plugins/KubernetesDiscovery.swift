import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import SynseSupport

/// `plugin.discover.kubernetes` (docs/api-v3.md §8.10).
public struct KubernetesDiscoveryConfiguration: Sendable, Equatable {
  public var namespace = "default"
  public var labels: [String: String] = [:]
  /// Service-account token and CA (`plugin.discover.kubernetes.credentials`, an extension:
  /// the in-cluster directory by default).
  public var credentials = "/var/run/secrets/kubernetes.io/serviceaccount"

  public init() {}
}

/// Finds plugins as the pod addresses of `Endpoints` carrying the configured labels, through
/// the Kubernetes API with the pod's service-account token and CA. A failed lookup keeps the
/// previous answer, so a flaky API server does not disable every discovered plugin.
///
/// An `Endpoints` without ready addresses (its Service has no working pod: no subsets, or
/// only `notReadyAddresses`) contributes nothing and never holds up the others. States are
/// logged when they change, not at every refresh: the lookup failing or recovering, and each
/// `Endpoints` losing or regaining its ready addresses.
actor KubernetesDiscovery {
  let configuration: KubernetesDiscoveryConfiguration
  let apiServer: String?
  let logger: Logger
  private var last: [PluginEndpoint] = []
  /// Whether the last lookup failed (its error was logged).
  private var failing = false
  /// Names of the `Endpoints` that had no ready address at the last lookup.
  private var idle: Set<String> = []
  private var warnedUnconfigured = false

  init(configuration: KubernetesDiscoveryConfiguration, environment: [String: String], logger: Logger) {
    self.configuration = configuration
    if let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] {
      apiServer = "https://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    } else {
      apiServer = nil
    }
    self.logger = logger
  }

  func endpoints() async -> [PluginEndpoint] {
    guard !configuration.labels.isEmpty else {
      if !warnedUnconfigured { logger.warning("kubernetes discovery has no endpoint labels configured; nothing discovered") }
      warnedUnconfigured = true
      return []
    }
    guard let apiServer else {
      if !warnedUnconfigured { logger.warning("kubernetes discovery configured but KUBERNETES_SERVICE_HOST/PORT are unset (not in a cluster?)") }
      warnedUnconfigured = true
      return last
    }
    do {
      let found = try await lookUp(apiServer)
      if failing { logger.info("kubernetes plugin discovery works again", metadata: ["namespace": "\(configuration.namespace)"]) }
      failing = false
      for name in found.idle.subtracting(idle).sorted() {
        logger.info("kubernetes endpoints have no ready address; nothing to register from them until they do", metadata: ["endpoints": "\(name)"])
      }
      for name in idle.subtracting(found.idle).sorted() {
        logger.info("kubernetes endpoints have ready addresses again", metadata: ["endpoints": "\(name)"])
      }
      idle = found.idle
      last = found.endpoints
    } catch {
      if !failing {
        logger.error("kubernetes plugin discovery failed; keeping the previous result (logged once until it works again)", metadata: ["error": "\(error)", "namespace": "\(configuration.namespace)"])
      } else {
        logger.debug("kubernetes plugin discovery still failing", metadata: ["error": "\(error)"])
      }
      failing = true
    }
    return last
  }

  private func lookUp(_ apiServer: String) async throws -> Discovered {
    let token = try String(contentsOfFile: "\(configuration.credentials)/token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .file("\(configuration.credentials)/ca.crt")
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(tlsConfiguration: tls))
    defer { Task { try? await client.shutdown() } }
    let selector = configuration.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    var components = URLComponents()
    components.queryItems = [URLQueryItem(name: "labelSelector", value: selector)]
    var request = HTTPClientRequest(url: "\(apiServer)/api/v1/namespaces/\(configuration.namespace)/endpoints\(components.string ?? "")")
    request.headers.add(name: "Authorization", value: "Bearer \(token)")
    request.headers.add(name: "Accept", value: "application/json")
    let response = try await client.execute(request, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 16 << 20)
    guard response.status == .ok else {
      throw DiscoveryError(message: "GET endpoints: HTTP \(response.status.code): \(String(buffer: body).prefix(200))")
    }
    return try Self.discover(Data(buffer: body))
  }

  /// What one lookup found: plugin addresses, and the `Endpoints` (by name) with no ready one.
  struct Discovered: Equatable {
    var endpoints: [PluginEndpoint] = []
    var idle: Set<String> = []
  }

  /// Pod addresses of every subset, on its only port or the one named `http`.
  static func parse(_ data: Data) throws -> [PluginEndpoint] {
    try discover(data).endpoints
  }

  /// Pod addresses of every subset, on its only port or the one named `http`, and the names
  /// of the `Endpoints` without any ready pod address (`notReadyAddresses` are never used).
  static func discover(_ data: Data) throws -> Discovered {
    let list = try JSONDecoder().decode(EndpointsList.self, from: data)
    var found = Discovered()
    for (position, item) in list.items.enumerated() {
      var ready = false
      for subset in item.subsets ?? [] {
        let ports = subset.ports ?? []
        guard let port = ports.count == 1 ? ports[0].port : ports.first(where: { $0.name == "http" })?.port else { continue }
        for address in subset.addresses ?? [] where address.targetRef?.kind?.lowercased() == "pod" {
          ready = true
          // An IPv6 pod address goes in brackets, so that the port can be told from it.
          let endpoint = PluginEndpoint.tcp(HostPort(host: address.ip, port: port).description)
          if !found.endpoints.contains(endpoint) { found.endpoints.append(endpoint) }
        }
      }
      if !ready { found.idle.insert(item.metadata?.name ?? "#\(position)") }
    }
    return found
  }

  struct DiscoveryError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
  }

  private struct EndpointsList: Decodable {
    struct Item: Decodable {
      let metadata: Metadata?
      let subsets: [Subset]?
    }
    struct Metadata: Decodable { let name: String? }
    struct Subset: Decodable {
      let addresses: [Address]?
      let ports: [Port]?
    }
    struct Address: Decodable {
      let ip: String
      let targetRef: Reference?
    }
    struct Reference: Decodable { let kind: String? }
    struct Port: Decodable {
      let name: String?
      let port: Int
    }
    let items: [Item]
  }
}
