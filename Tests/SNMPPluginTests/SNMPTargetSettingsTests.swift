import SynseSDK
import Testing

@testable import SNMPPlugin

@Suite struct SNMPTargetSettingsTests {
  func parse(_ pairs: [(String, ConfigValue)]) throws -> SNMPTargetSettings { try SNMPTargetSettings(.map(pairs)) }

  @Test func v2cTakesPort161ByDefault() throws {
    let target = try parse([("address", .string("pdu7.example.net")), ("community", .string("ro"))])
    #expect(target.endpoint == "pdu7.example.net:161")
    #expect(target.version == .v2c && target.retries == 1 && target.timeout == .seconds(2))
    #expect(!target.description.contains("ro\""))
    let v6 = try parse([("address", .string("[fd00::9]:1161")), ("community", .string("ro"))])
    #expect(v6.peerName == "udp6:[fd00::9]:1161")
  }

  @Test func v3TakesUserAndKeys() throws {
    let target = try parse([
      ("address", .string("10.0.0.9")), ("version", .string("v3")), ("user", .string("synse")), ("authProtocol", .string("sha256")),
      ("authKey", .string("12345678")), ("privProtocol", .string("AES")), ("privKey", .string("abcdefgh")), ("contextName", .string("pdu")),
    ])
    #expect(target.authProtocol == .SHA256 && target.privProtocol == .AES && target.contextName == "pdu")
  }

  @Test(arguments: [
    ([("community", ConfigValue.string("x"))], "address"),
    ([("address", .string("h")), ("comunity", .string("x"))], "comunity"),
    ([("address", .string("h"))], "community"),
    ([("address", .string("h")), ("community", .string("x")), ("user", .string("u"))], "user"),
    ([("address", .string("h")), ("version", .string("v3")), ("community", .string("x"))], "community"),
    ([("address", .string("h")), ("version", .string("v3"))], "user"),
    ([("address", .string("h")), ("version", .string("v1")), ("community", .string("x"))], "version"),
    ([("address", .string("h")), ("version", .string("v3")), ("user", .string("u")), ("authProtocol", .string("SHA")), ("authKey", .string("short"))], "authKey"),
    ([("address", .string("h")), ("version", .string("v3")), ("user", .string("u")), ("authProtocol", .string("SHA"))], "authKey"),
    ([("address", .string("h")), ("version", .string("v3")), ("user", .string("u")), ("privProtocol", .string("AES")), ("privKey", .string("12345678"))], "privProtocol"),
    ([("address", .string("h")), ("version", .string("v3")), ("user", .string("u")), ("authProtocol", .string("SHA1")), ("authKey", .string("12345678"))], "authProtocol"),
    ([("address", .string("h:99999")), ("community", .string("x"))], "address"),
    ([("address", .string("::1")), ("community", .string("x"))], "address"),
    ([("address", .string("h")), ("community", .string("x")), ("retries", .int(11))], "retries"),
    ([("address", .string("h")), ("community", .string("x")), ("timeout", .string("5"))], "timeout"),
    ([("address", .string("h")), ("community", .string(""))], "community"),
    ([("address", .string("h")), ("version", .string("v3")), ("user", .string(String(repeating: "u", count: 33)))], "user"),
    ([("address", .string("[::1:6161")), ("community", .string("x"))], "address"),
    ([("address", .string("h:0")), ("community", .string("x"))], "address"),
  ] as [([(String, ConfigValue)], String)])
  func aBadTargetNamesTheKey(pairs: [(String, ConfigValue)], key: String) throws {
    let error = try #require(throws: ConfigError.self) { try parse(pairs) }
    #expect(error.key == key, "\(error)")
    // The message speaks of what was given, never of a port the parser added.
    #expect(!error.message.contains(":161:"), "\(error)")
  }
}
