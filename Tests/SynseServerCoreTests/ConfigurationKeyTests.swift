import Foundation
import Testing
@testable import SynseServerCore

/// The one declaration of each key (``ServerConfiguration/keys``) and what is derived from it.
struct ConfigurationKeyTests {
  func file(_ text: String) throws -> String {
    try ConfigurationTests().file(text)
  }

  /// The README's table is the one rendered from the declarations, row for row.
  @Test func readmeConfigurationTableIsTheDeclaredOne() throws {
    let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md").standardized
    let text = try String(contentsOf: readme, encoding: .utf8)
    let section = try #require(text.components(separatedBy: "### Configuration").dropFirst().first?.components(separatedBy: "\n### ").first)
    let table = section.split(separator: "\n").filter { $0.hasPrefix("|") }.joined(separator: "\n")
    #expect(table == ServerConfiguration.markdownTable, "the README's table should read:\n\(ServerConfiguration.markdownTable)")
  }

  /// The original server's keys (docs/api-v3.md §9.2) are all declared, with its defaults.
  @Test func theOriginalsKeysAreDeclaredWithItsDefaults() throws {
    let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/api-v3.md").standardized
    let text = try String(contentsOf: spec, encoding: .utf8)
    let section = try #require(text.components(separatedBy: "### 9.2 Options").dropFirst().first?.components(separatedBy: "\n### ").first)
    let ours = Dictionary(uniqueKeysWithValues: ServerConfiguration.markdownTable.split(separator: "\n").dropFirst(2).map { row in
      let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      return (cells[0].replacingOccurrences(of: ".<name>", with: ""), cells[1])
    })
    var checked = 0
    for line in section.split(separator: "\n") where line.hasPrefix("| `") {
      let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      let shown = try #require(ours[cells[0]], "\(cells[0]) is not declared")
      if !cells[2].hasPrefix("absent") { #expect(shown.trimmingCharacters(in: ["`"]) == cells[2].trimmingCharacters(in: ["`"]), "\(cells[0])") }
      checked += 1
    }
    #expect(checked >= 14)
  }

  @Test func theTableShowsTheInitialisersDefaults() {
    let rows = ServerConfiguration.markdownTable.split(separator: "\n")
    for expected in ["| `port` | 5000 | `SYNSE_PORT` |", "| `pretty_json` | `true` | `SYNSE_PRETTY_JSON` |", "| `plugin.tcp` | `[]` |",
                     "| `cache.device.rebuild_every` | 180 |", "| `ssl.cert` | unset |", "| `plugin.discover.kubernetes.endpoints.labels.<name>` | `{}` |"] {
      #expect(rows.contains { $0.hasPrefix(expected) }, "\(expected)")
    }
  }

  @Test func everyKeyIsDeclaredOnceWithAVariableOfItsName() {
    let names = ServerConfiguration.keys.map(\.dotted)
    #expect(Set(names).count == names.count)
    #expect(ServerConfiguration.keys.first { $0.dotted == "cache.transaction.ttl" }?.variable == "SYNSE_CACHE_TRANSACTION_TTL")
    #expect(ServerConfiguration.secretKeys == ["metrics.auth.password", "metrics.auth.token", "webhooks.secret", "webhooks.headers"])
  }

  /// Libyaml's message spans three lines (problem, the text, a caret); the error is one line
  /// with the file, the line and the column.
  @Test(arguments: [("logging: info\nplugin: {tcp: [a:1\n", 3, 1), ("logging: info\n  pretty_json: true\n", 2, 14), ("a: 'open\n", 2, 1)])
  func aYAMLSyntaxErrorIsOneLineWithFileLineAndColumn(yaml: String, line: Int, column: Int) throws {
    let path = try file(yaml)
    let error = try #require(throws: ConfigurationError.self) { try ServerConfiguration.load(path: path, environment: [:]) }
    #expect(!error.description.contains("\n"), "\(error)")
    #expect(error.description.hasPrefix("config file \(path) is not valid YAML: line \(line), column \(column): "), "\(error)")
  }

  @Test(arguments: [("a, b", ["a", "b"]), (" a ,b ", ["a", "b"]), ("a", ["a"])])
  func commaListsAreTrimmed(raw: String, expected: [String]) throws {
    let config = try ServerConfiguration.load(path: try file(""), environment: ["SYNSE_PLUGIN_UNIX": raw, "SYNSE_PLUGIN_EMBEDDED": raw])
    #expect(config.plugin.unix == expected && config.plugin.embedded == expected)
    #expect(config.tree.serialized(pretty: false).contains(#""unix":\#(JSONValue.array(expected.map { .string($0) }).serialized(pretty: false))"#))
  }

  @Test func mapKeysTakeTheirNamedVariablesAndFileEntries() throws {
    let config = try ServerConfiguration.load(path: try file("plugin: {discover: {kubernetes: {endpoints: {labels: {tier: x}}}}}\n"), environment: [
      "SYNSE_PLUGIN_DISCOVER_KUBERNETES_ENDPOINTS_LABELS_APP": "synse",
    ])
    #expect(config.kubernetes?.labels == ["tier": "x", "app": "synse"] && config.unknownKeys.isEmpty)
    let none = try ServerConfiguration.load(path: try file(""), environment: [:])
    #expect(none.kubernetes == nil)
  }
}
