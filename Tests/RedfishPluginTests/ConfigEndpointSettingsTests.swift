import Foundation
@testable import RedfishPlugin
import SynseSDK
import Testing

/// ``RedfishEndpointSettings`` from one `dynamicRegistration.config` item: every refusal names
/// its key, and no rendering of the settings shows the password.
struct ConfigEndpointSettingsTests {
  static let secret = "s3cret-Pa55"

  func item(_ pairs: (String, ConfigValue)...) -> ConfigValue {
    .map(pairs.map { (key: $0.0, value: $0.1) })
  }

  /// The refusal of `item`, or a test failure.
  func refusal(_ item: ConfigValue) -> ConfigError? {
    do {
      let settings = try RedfishEndpointSettings(item)
      Issue.record("expected a ConfigError, got \(settings)")
      return nil
    } catch {
      return error
    }
  }

  func temporaryFile(_ text: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("redfish-config-\(UUID().uuidString.prefix(8))")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  @Test func aFullItemIsReadWithDefaults() throws {
    let settings = try RedfishEndpointSettings(item(("endpoint", .string("HTTPS://10.0.0.5:8443/")), ("username", .string("admin")), ("password", .string(Self.secret))))
    #expect(settings.endpoint == "https://10.0.0.5:8443")
    #expect(settings.timeout == .seconds(15))
    #expect(settings.username == "admin")
    let timed = try RedfishEndpointSettings(item(("endpoint", .string("http://bmc1")), ("timeout", .string("2m30s"))))
    #expect(timed.timeout == .seconds(150) && timed.username == nil && timed.password == nil)
  }

  @Test func thePasswordFileIsReadWithoutItsTrailingNewline() throws {
    for (text, expected) in [("\(Self.secret)\n", Self.secret), ("\(Self.secret)\r\n", Self.secret), (" two words \n\n", " two words \n")] {
      let path = try temporaryFile(text)
      let settings = try RedfishEndpointSettings(item(("endpoint", .string("https://bmc")), ("username", .string("u")), ("passwordFile", .string(path))))
      #expect(settings.password?.value == expected)
    }
  }

  @Test func noRenderingOfTheSettingsShowsThePasswordOrUsername() throws {
    let settings = try RedfishEndpointSettings(item(("endpoint", .string("https://bmc")), ("username", .string("root-user")), ("password", .string(Self.secret))))
    var dumped = ""
    dump(settings, to: &dumped)
    var dumpedSecret = ""
    dump(settings.password, to: &dumpedSecret)
    let renderings = [
      "\(settings)", String(describing: settings), String(reflecting: settings), dumped, "\(String(describing: settings.password))",
      dumpedSecret, "\(Mirror(reflecting: settings).children.map { "\($0.value)" })",
    ]
    for text in renderings {
      #expect(!text.contains(Self.secret) && !text.contains("root-user"), "\(text)")
    }
    #expect("\(settings)" == "RedfishEndpointSettings(endpoint: https://bmc, auth: username and password (not shown), tls: system trust roots, timeout: 15s)")
  }

  @Test(arguments: [
    ("10.0.0.5", "is not an absolute"), ("/redfish/v1", "is not an absolute"), ("ftp://bmc", "scheme 'ftp'"),
    ("https://", "has no host"), ("https://bmc/redfish/v1", "has a path"), ("https://bmc?x=1", "has a query"),
    ("https://bmc:70000", "outside 1-65535"), ("http://127.0.0.1:9223372036854775808", "has port 9223372036854775808, outside 1-65535"),
    ("not a url at all", "is not an absolute"),
  ])
  func aBadEndpointIsRefused(endpoint: String, reason: String) throws {
    let error = try #require(refusal(item(("endpoint", .string(endpoint)))))
    #expect(error.code == .invalidValue && error.key == "endpoint" && error.message.contains(reason), "\(error)")
  }

  /// One endpoint, one spelling: the scheme's own port and trailing slashes go, so the
  /// duplicate check sees `http://bmc:80` and `http://bmc/` as `http://bmc`.
  @Test(arguments: [
    ("http://10.0.0.5:80", "http://10.0.0.5"), ("https://bmc:443/", "https://bmc"), ("HTTPS://bmc:8443", "https://bmc:8443"),
    ("http://bmc:443", "http://bmc:443"),
  ])
  func endpointsAreNormalised(endpoint: String, normalised: String) throws {
    #expect(try RedfishEndpointSettings(item(("endpoint", .string(endpoint)))).endpoint == normalised)
  }

  @Test func credentialsInTheURLAreRefusedWithoutEchoingThem() throws {
    let error = try #require(refusal(item(("endpoint", .string("https://admin:\(Self.secret)@bmc")))))
    #expect(error.key == "endpoint" && !error.description.contains(Self.secret), "\(error)")
  }

  @Test func anUnknownKeyIsNamedWithTheKnownOnes() throws {
    let error = try #require(refusal(item(("endpoint", .string("https://bmc")), ("pasword", .string(Self.secret)))))
    #expect(error.code == .invalidValue && error.key == "pasword")
    #expect(error.message == "unknown key 'pasword'; a Redfish endpoint has only endpoint, username, password, passwordFile, caFile, insecureSkipVerify, timeout")
    #expect(!error.description.contains(Self.secret))
  }

  @Test func missingEndpointAndNonMappingItemsAreRefused() throws {
    let missing = try #require(refusal(item(("username", .string("u")), ("password", .string("p")))))
    #expect(missing.code == .missingValue && missing.key == "endpoint")
    let scalar = try #require(refusal(.string("https://bmc")))
    #expect(scalar.code == .invalidValue && scalar.message.contains("mapping"))
  }

  @Test func halfTheCredentialsOrBothPasswordsAreRefused() throws {
    let path = try temporaryFile(Self.secret)
    let cases: [(ConfigValue, String, ConfigError.Code)] = [
      (item(("endpoint", .string("https://bmc")), ("username", .string("u"))), "password", .missingValue),
      (item(("endpoint", .string("https://bmc")), ("password", .string(Self.secret))), "username", .missingValue),
      (item(("endpoint", .string("https://bmc")), ("passwordFile", .string(path))), "username", .missingValue),
      (item(("endpoint", .string("https://bmc")), ("username", .string("u")), ("password", .string(Self.secret)), ("passwordFile", .string(path))),
       "passwordFile", .invalidValue),
      (item(("endpoint", .string("https://bmc")), ("username", .string("u")), ("password", .int(123))), "password", .invalidValue),
      (item(("endpoint", .string("https://bmc")), ("username", .string("u")), ("password", .string(""))), "password", .invalidValue),
    ]
    for (value, key, code) in cases {
      let error = try #require(refusal(value))
      #expect(error.key == key && error.code == code, "\(error)")
      #expect(!error.description.contains(Self.secret), "\(error)")
    }
  }

  @Test func aMissingPasswordFileOrCaFileIsNamed() throws {
    let password = try #require(refusal(item(("endpoint", .string("https://bmc")), ("username", .string("u")), ("passwordFile", .string("/nonexistent/bmc-pw")))))
    #expect(password.code == .missingFile && password.key == "passwordFile" && password.message.contains("/nonexistent/bmc-pw"), "\(password)")
    #expect(password.message.hasSuffix(": no such file"), "\(password)")
    // A directory: the cause in words, not Foundation's "NSCocoaErrorDomain 256".
    let directory = FileManager.default.temporaryDirectory.path
    let folder = try #require(refusal(item(("endpoint", .string("https://bmc")), ("username", .string("u")), ("passwordFile", .string(directory)))))
    #expect(folder.code == .missingFile && folder.message == "cannot read '\(directory)': it is a directory, not a file", "\(folder)")
    // A device (reading /dev/zero would never end).
    let device = try #require(refusal(item(("endpoint", .string("https://bmc")), ("username", .string("u")), ("passwordFile", .string("/dev/zero")))))
    #expect(device.message == "cannot read '/dev/zero': not a regular file", "\(device)")
    let ca = try #require(refusal(item(("endpoint", .string("https://bmc")), ("caFile", .string("/nonexistent/ca.pem")))))
    #expect(ca.code == .missingFile && ca.key == "caFile" && ca.message.contains("/nonexistent/ca.pem"), "\(ca)")
    let notPEM = try #require(refusal(item(("endpoint", .string("https://bmc")), ("caFile", .string(try temporaryFile("not a certificate"))))))
    #expect(notPEM.code == .invalidValue && notPEM.key == "caFile" && notPEM.message.contains("no PEM certificate"), "\(notPEM)")
  }

  @Test func trustSettingsConflictOrDoNotApplyToHTTP() throws {
    let both = try #require(refusal(item(("endpoint", .string("https://bmc")), ("caFile", .string("/etc/hostname")), ("insecureSkipVerify", .bool(true)))))
    #expect(both.key == "insecureSkipVerify" && both.message.contains("not both"), "\(both)")
    let plain = try #require(refusal(item(("endpoint", .string("http://bmc")), ("insecureSkipVerify", .bool(true)))))
    #expect(plain.key == "insecureSkipVerify" && plain.message.contains("https"), "\(plain)")
    let notBool = try #require(refusal(item(("endpoint", .string("https://bmc")), ("insecureSkipVerify", .string("yes please")))))
    #expect(notBool.key == "insecureSkipVerify", "\(notBool)")
  }

  @Test(arguments: [
    ConfigValue.string("fast"), .string("0s"), .string("1ns"), .string("99ms"), .string("-5s"), .string("11m"), .int(10),
    .string("99999999999999999999h"), .string("999999h999999h999999h"),
  ])
  func aBadTimeoutIsRefused(timeout: ConfigValue) throws {
    let error = try #require(refusal(item(("endpoint", .string("https://bmc")), ("timeout", timeout))))
    #expect(error.code == .invalidValue && error.key == "timeout" && error.message.contains("Go duration"), "\(error)")
  }
}
