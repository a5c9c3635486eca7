import Logging
import SynseSDK

/// What the plugin assembly calls in the transport, discovery and writer parts, as functions:
/// ``RedfishParts/live`` is the real set (``RedfishClient``, ``RedfishDiscovery``,
/// ``RedfishWriter``); tests of the assembly's own rules (backoff, isolation, staleness) give
/// stand-ins for a BMC's answers.
struct RedfishParts: Sendable {
  /// One `dynamicRegistration.config` item, checked.
  /// - Throws: ``ConfigError`` whose `key` names the bad key inside the item.
  var endpoint: @Sendable (ConfigValue) throws(ConfigError) -> RedfishEndpoint
  /// One walk of the service (``RedfishDiscovery/walk(_:logger:)``); throws only when the
  /// service root fails.
  var walk: @Sendable (any RedfishTransport, Logger) async throws(RedfishError) -> RedfishInventory
  /// One write, returning once the final state was read back (``RedfishWriter``).
  var write: @Sendable (RedfishPoint, String, String, any RedfishTransport) async throws -> Void
  /// The write actions a control takes.
  var actions: @Sendable (RedfishControl) -> [String]
}

/// One configured BMC: where it is, how long one request may take, and how to connect.
struct RedfishEndpoint: Sendable {
  /// The normalised base URL (no trailing slash); names the BMC in logs and health.
  var endpoint: String
  /// One request's timeout; also how long startup waits for the BMC's first walk.
  var timeout: Duration
  /// Makes the BMC's client (no request yet).
  var connect: @Sendable (Logger) throws(RedfishError) -> any RedfishTransport
  /// Logs out and releases the client (session deleted, HTTP client shut down).
  var disconnect: @Sendable (any RedfishTransport) async -> Void
}
