import SynseServerCore

/// The request events of api-v3.md §7.3 and the response event each one answers with.
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

/// The `data` object of a request, with the original's conventions for its fields.
struct WebSocketData {
  let fields: [String: JSONValue]

  init(_ value: JSONValue?) {
    if case .object(let pairs)? = value {
      fields = Dictionary(pairs, uniquingKeysWith: { _, last in last })
    } else {
      fields = [:]
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
  /// string is a one-tag group.
  func tagGroups(_ key: String) -> [[String]] {
    switch fields[key] {
    case .string(let tag)?: return [[tag]]
    case .array(let items)?:
      if items.isEmpty { return [] }
      let strings = items.compactMap { item -> String? in if case .string(let text) = item { return text } else { return nil } }
      if strings.count == items.count { return [strings] }
      return items.map { item in
        if case .array(let group) = item {
          return group.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
        }
        if case .string(let text) = item { return [text] }
        return []
      }
    default: return []
    }
  }

  /// A list of strings; a bare string counts as a one-element list.
  func strings(_ key: String) -> [String] {
    switch fields[key] {
    case .string(let text)?: return [text]
    case .array(let items)?: return items.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
    default: return []
    }
  }
}
