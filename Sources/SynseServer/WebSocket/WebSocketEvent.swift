import SynseServerCore

/// The request events of docs/api-v3.md §7.3 and the response event each one answers with.
enum WebSocketEvent: String, CaseIterable {
  case status = "request/status"
  case version = "request/version"
  case config = "request/config"
  case plugins = "request/plugins"
  case plugin = "request/plugin"
  case pluginHealth = "request/plugin_health"
  case scan = "request/scan"
  case tags = "request/tags"
  case info = "request/info"
  case read = "request/read"
  case readDevice = "request/read_device"
  case readCache = "request/read_cache"
  case writeAsync = "request/write_async"
  case writeSync = "request/write_sync"
  case transaction = "request/transaction"
  case transactions = "request/transactions"

  var responseEvent: String {
    switch self {
    case .status: return "response/status"
    case .version: return "response/version"
    case .config: return "response/config"
    case .plugins: return "response/plugin_summary"
    case .plugin: return "response/plugin_info"
    case .pluginHealth: return "response/plugin_health"
    case .scan: return "response/device_summary"
    case .tags: return "response/tags"
    case .info: return "response/device_info"
    case .read, .readDevice, .readCache: return "response/reading"
    case .writeAsync: return "response/transaction_info"
    case .writeSync, .transaction: return "response/transaction_status"
    case .transactions: return "response/transaction_list"
    }
  }
}

extension WebSocketEvent {
  /// The scope a request needs (docs/auth.md "Scopes"), as its HTTP twin does.
  func scope(_ data: WebSocketData) -> Scope {
    switch self {
    case .config: .admin
    case .plugins where data.truthy("refresh"): .admin
    case .writeAsync, .writeSync, .transaction, .transactions: .write
    default: .read
    }
  }
}

/// The `data` object of a request, with the original's conventions for its fields.
struct WebSocketData {
  let fields: [String: JSONValue]
  /// `data` was given but is not an object (`"data": "str"`); read as no fields, as the
  /// original does, except by requests that are not the original's (`request/event_stream`).
  let isMalformed: Bool

  init(_ value: JSONValue?) {
    if case .object(let pairs)? = value {
      fields = Dictionary(pairs, uniquingKeysWith: { _, last in last })
      isMalformed = false
    } else {
      fields = [:]
      isMalformed = !(value == nil || value == .null)
    }
  }

  /// A required string field: 400 `required data "<key>" not specified` when missing or null.
  func required(_ key: String) throws(SynseError) -> String {
    switch fields[key] {
    case .string(let text)?: return text
    case nil, .null?: throw .invalidUsage("required data \"\(key)\" not specified")
    case let other?: return other.serialized(pretty: false)
    }
  }

  func string(_ key: String) -> String? {
    if case .string(let text)? = fields[key] { return text }
    return nil
  }

  /// JSON truthiness, as the original's Python checks.
  func truthy(_ key: String) -> Bool {
    switch fields[key] {
    case nil, .null?: return false
    case .bool(let flag)?: return flag
    case .int(let number)?: return number != 0
    case .uint(let number)?: return number != 0
    case .double(let number)?: return number != 0
    case .string(let text)?: return !text.isEmpty
    case .array(let items)?: return !items.isEmpty
    case .object(let pairs)?: return !pairs.isEmpty
    case .fragment?: return true
    }
  }

  /// Tag groups: an array of strings is one group, an array of arrays is many, a bare
  /// string is a one-tag group; absent or null is none. Anything else (`5`, `[[5]]`, an
  /// object) is refused rather than read as "no selector", which would select every device.
  func tagGroups(_ key: String) throws(SynseError) -> [[String]] {
    switch fields[key] {
    case nil, .null?: return []
    case .string(let tag)?: return [[tag]]
    case .array(let items)?:
      if let group = Self.texts(items) { return items.isEmpty ? [] : [group] }
      var groups: [[String]] = []
      for item in items {
        switch item {
        case .string(let text): groups.append([text])
        case .array(let group):
          guard let texts = Self.texts(group) else { throw Self.wrongType(key, "tag groups: a list of lists of strings") }
          groups.append(texts)
        default: throw Self.wrongType(key, "tag groups: a list of lists of strings")
        }
      }
      return groups
    default: throw Self.wrongType(key, "tag groups: a list of lists of strings")
    }
  }

  /// A list of strings; a bare string counts as a one-element list, absent or null as none.
  func strings(_ key: String) throws(SynseError) -> [String] {
    switch fields[key] {
    case nil, .null?: return []
    case .string(let text)?: return [text]
    case .array(let items)?:
      guard let texts = Self.texts(items) else { throw Self.wrongType(key, "a list of strings") }
      return texts
    default: throw Self.wrongType(key, "a list of strings")
    }
  }

  private static func texts(_ items: [JSONValue]) -> [String]? {
    var texts: [String] = []
    for item in items {
      guard case .string(let text) = item else { return nil }
      texts.append(text)
    }
    return texts
  }

  private static func wrongType(_ key: String, _ expected: String) -> SynseError {
    .invalidUsage("data \"\(key)\" must be \(expected)")
  }
}
