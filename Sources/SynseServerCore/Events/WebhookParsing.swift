import Foundation
import SynseSupport

extension WebhookDestination {
  /// Reads entry `index` of the `webhooks` list (a mapping, from YAML or the JSON of
  /// `SYNSE_WEBHOOKS`):
  ///
  /// - `url` (required): `http://` or `https://` with a host; user info is refused (it would
  ///   show in `/v3/config`; give credentials in `headers`);
  /// - `name`: the metrics label (default: the URL without query); `types`, `severity`,
  ///   `plugin`: a string, a comma list or a list of them; `tags`: a list of groups, each a tag
  ///   or a comma list that must all be present (as `/v3/events?tags=`);
  /// - `secret`, `context`: strings; `headers`: a mapping of names to strings;
  /// - `queue_size` (events, ≥ 1, default 1000); `retry_initial` (seconds, default 1),
  ///   `retry_max` (seconds, ≥ `retry_initial`, default 30), `timeout` (seconds, default 10):
  ///   numbers > 0, decimals allowed.
  ///
  /// - Throws: ``WebhookConfigError`` naming the first bad key, e.g. `webhooks[1].types`.
  static func parse(_ json: JSONValue, index: Int) throws(WebhookConfigError) -> WebhookDestination {
    let at = "webhooks[\(index)]"
    let entry = try ConfigurationEntry.fields(
      of: json, at: at, known: fields, shape: "a mapping with at least 'url'", noun: "webhook", failure: { WebhookConfigError(key: $0, message: $1) })
    func fail(_ field: String, _ message: String) -> WebhookConfigError { WebhookConfigError(key: "\(at).\(field)", message: message) }
    func text(_ field: String) throws(WebhookConfigError) -> String? {
      guard let value = entry[field] else { return nil }
      guard case .string(let text) = value, !text.allSatisfy(\.isWhitespace) else { throw fail(field, "must be a non-blank string") }
      // The name goes into log lines and labels, the context into a header: one line each.
      guard Self.isFieldValue(text) else { throw fail(field, "must not contain control characters such as line breaks") }
      return text
    }
    func items(_ field: String) throws(WebhookConfigError) -> [String] {
      switch entry[field] {
      case nil: return []
      case .string(let text)?: return field == "tags" ? [text] : EventFilter.items([text])
      case .array(let list)?:
        var result: [String] = []
        for item in list {
          guard case .string(let text) = item else { throw fail(field, "must be a string or a list of strings") }
          result.append(text)
        }
        return field == "tags" ? result : EventFilter.items(result)
      default: throw fail(field, "must be a string or a list of strings")
      }
    }
    func seconds(_ field: String, default value: Duration) throws(WebhookConfigError) -> Duration {
      let number: Double
      switch entry[field] {
      case nil: return value
      case .int(let whole)?: number = Double(whole)
      case .double(let decimal)?: number = decimal
      default: throw fail(field, "must be a number of seconds > 0")
      }
      guard number.isFinite, number > 0, number <= 86_400 else { throw fail(field, "must be a number of seconds > 0 and at most 86400, got \(number)") }
      return .nanoseconds(Int64(number * 1e9))
    }

    guard let address = try text("url") else { throw fail("url", "is required (the receiver's http:// or https:// URL)") }
    guard let url = URLComponents(string: address), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
          let host = url.host, !host.isEmpty else {
      throw fail("url", "must be an http:// or https:// URL with a host, got '\(address)'")
    }
    // Checked here, not at the first event, where AsyncHTTPClient would trap, server and all.
    if !HostPort.hasDialablePort(url: address) {
      throw fail("url", "has port \(HostPort.writtenPort(inURL: address) ?? ""), outside 1-65535")
    }
    guard url.user == nil, url.password == nil else {
      throw fail("url", "must not carry user info (it would show in /v3/config and logs); send credentials with 'headers'")
    }
    let (types, severities, tags, plugins) = (try items("types"), try items("severity"), try items("tags"), try items("plugin"))
    for kind in types where ServerEvent.Kind(rawValue: kind) == nil {
      throw fail("types", "has unknown event type '\(kind)' (known: \(ServerEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    for severity in severities where HealthState(rawValue: severity) == nil {
      throw fail("severity", "has unknown severity '\(severity)' (known: \(HealthState.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    let filter: EventFilter
    do throws(SynseError) {
      filter = try EventFilter(types: types, severities: severities, tagGroups: tags.map { [$0] }, plugins: plugins, devices: [])
    } catch {
      throw WebhookConfigError(key: at, message: "has an unusable filter: \(error)")
    }
    var headers: [(String, String)] = []
    switch entry["headers"] {
    case nil: break
    case .object(let fields)?:
      for (name, value) in fields {
        guard case .string(let text) = value, !name.isEmpty else { throw fail("headers", "must map header names to strings (the '\(name)' entry)") }
        guard Self.isFieldName(name) else {
          throw fail("headers", "has '\(name)', which is not a header name (letters, digits and !#$%&'*+-.^_`|~ only, RFC 9110 §5.1)")
        }
        guard !Self.isReservedHeader(name) else {
          throw fail("headers", "has '\(name)', which the server sets itself (Host, Content-Type, Content-Length, Transfer-Encoding, Connection, X-Synse-*)")
        }
        guard Self.isFieldValue(text) else { throw fail("headers.\(name)", "must not contain control characters such as line breaks (RFC 9110 §5.5)") }
        headers.append((name, text))
      }
    default: throw fail("headers", "must be a mapping of header names to strings")
    }
    let context = try text("context")
    var queueSize = 1000
    if let value = entry["queue_size"] {
      guard case .int(let number) = value, number >= 1, number <= 1_000_000 else { throw fail("queue_size", "must be an integer from 1 to 1000000") }
      queueSize = Int(number)
    }
    let initial = try seconds("retry_initial", default: .seconds(1))
    let maximum = try seconds("retry_max", default: max(.seconds(30), initial))
    guard maximum >= initial else { throw fail("retry_max", "must be at least retry_initial") }
    return WebhookDestination(
      url: address, name: try text("name") ?? label(of: url), filter: filter, secret: try text("secret"), context: context,
      headers: headers, queueSize: queueSize, retry: WebhookBackoff(initial: initial, maximum: maximum),
      timeout: try seconds("timeout", default: .seconds(10)))
  }

  /// An RFC 9110 §5.1 field name: one or more `tchar`s. The HTTP client refuses any other, on
  /// every delivery, so a bad name must stop startup instead.
  static func isFieldName(_ name: String) -> Bool {
    !name.isEmpty && name.utf8.allSatisfy { byte in
      (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
  }

  /// Headers that describe the body, the connection or the event: a receiver must be able to
  /// trust them, so a destination's `headers` may not replace them.
  static func isReservedHeader(_ name: String) -> Bool {
    let lower = name.lowercased()
    return ["host", "content-type", "content-length", "transfer-encoding", "connection"].contains(lower) || lower.hasPrefix("x-synse-")
  }

  /// An RFC 9110 §5.5 field value: no control character but horizontal tab (so no CR or LF).
  static func isFieldValue(_ value: String) -> Bool {
    value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
  }
}
