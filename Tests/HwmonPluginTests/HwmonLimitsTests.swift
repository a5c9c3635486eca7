import Foundation
import HwmonPlugin
import Logging
import Synchronization
import SynseSDK
import SynseSupport
import Testing

/// Kernel limits as thresholds (docs/hwmon.md §7): `_max` UpperCaution, `_crit` UpperCritical,
/// `_emergency` UpperFatal, `_min` LowerCaution, `_lcrit` LowerCritical, scaled as the reading;
/// odd limits dropped with a warning; operator thresholds over them per value; alarm flags as
/// the reading context key `synse.alarm`.
@Suite struct HwmonLimitsTests {
  let root = fixtures.appendingPathComponent("server").path

  func devices(_ root: String, items: [ConfigValue] = [], logger: Logger = quiet) throws -> [Device] {
    let hwmon = HwmonPlugin(environment: ["HWMON_SYSFS_ROOT": root], logger: logger)
    var config = PluginConfig()
    config.network = .init(type: .tcp, address: "127.0.0.1:0")
    config.dynamicRegistration = items
    return try hwmon.plugin.build(config: config, deviceConfig: DeviceConfig(devices: []), environment: [:], logger: quiet).devices.devices
  }

  func device(_ devices: [Device], _ chip: String, _ channel: String) throws -> Device {
    try #require(devices.first { $0.context["chip"] == chip && $0.context["channel"] == channel })
  }

  func t(_ type: String) -> ReadingSelector { ReadingSelector(readingType: type) }

  @Test func kernelLimitsBecomeThresholdsScaledLikeTheirReadings() throws {
    let capture = LogCapture()
    let all = try devices(root, logger: capture.logger)
    #expect(all.count == 64)
    #expect(capture.lines.withLock { $0.filter { $0.contains("hwmon limit") } } == [])
    let expected: [(String, String, [ReadingSelector: Thresholds])] = [
      ("coretemp-isa-0000", "temp1", [t("temperature"): Thresholds(upperCaution: .init(reading: 90), upperCritical: .init(reading: 100))]),
      ("nvme-pci-3d00", "temp1", [t("temperature"): Thresholds(
        lowerCaution: .init(reading: -0.15), upperCaution: .init(reading: 84.85), upperCritical: .init(reading: 94.85))]),
      ("nvme-pci-3d00", "temp9", [:]),  // 65261850 and -273150: "no limit"
      ("amdgpu-pci-8300", "temp3", [t("temperature"): Thresholds(upperCritical: .init(reading: 100), upperFatal: .init(reading: 105))]),
      ("nct6798-isa-0a20", "in2", [t("voltage"): Thresholds(lowerCaution: .init(reading: 2.976), upperCaution: .init(reading: 3.632))]),
      ("nct6798-isa-0a20", "in4", [:]),  // Super-I/O limits of 0: unprogrammed
      ("nct6798-isa-0a20", "fan1", [t("frequency"): Thresholds(lowerCaution: .init(reading: 300))]),
      ("amdgpu-pci-8300", "fan1", [t("frequency"): Thresholds(upperCaution: .init(reading: 3300))]),  // min 0 RPM: none
      ("sht3x-i2c-1-44", "humidity1", [t("humidity"): Thresholds(lowerCaution: .init(reading: 20), upperCaution: .init(reading: 80))]),
      ("adm1032-i2c-1-4c", "temp1", [t("temperature"): Thresholds(
        lowerCaution: .init(reading: 0), upperCaution: .init(reading: 85), upperCritical: .init(reading: 85))]),
      ("ina226-i2c-1-40", "in1", [:]),  // ina2xx alert limits of 0: not set
      ("i915-pci-0300", "power1", [:]),  // no reading to compare with
    ]
    for (chip, channel, thresholds) in expected {
      let device = try device(all, chip, channel)
      #expect(device.thresholds == thresholds, "\(chip) \(channel)")
      #expect(device.metadata[ThresholdsMetadata.key] == (thresholds.isEmpty ? nil : ThresholdsMetadata.encode(thresholds)))
    }
    // Dwell zero, written out: the chip's own limit counts at once.
    let json = try #require(try device(all, "coretemp-isa-0000", "temp1").metadata[ThresholdsMetadata.key])
    #expect(json == #"{"temperature":{"HysteresisDuration":"PT0S","HysteresisReading":0,"#
      + #""UpperCaution":{"Activation":"Either","DwellTime":"PT0S","Reading":90},"#
      + #""UpperCritical":{"Activation":"Either","DwellTime":"PT0S","Reading":100}}}"#)
  }

  @Test func oddKernelLimitsAreDroppedWithAWarningNamingTheFile() throws {
    let copy = try copyOfTree("server")
    let directory = "\(copy)/devices/platform/coretemp.0/hwmon/hwmon3"
    for (file, text) in [("temp2_crit", "0"), ("temp3_max", "abc"), ("temp4_min", "95000"), ("temp5_crit", "5000000")] {
      try "\(text)\n".write(toFile: "\(directory)/\(file)", atomically: false, encoding: .utf8)
    }
    let capture = LogCapture()
    let all = try devices(copy, logger: capture.logger)
    #expect(all.count == 64)
    let upper = [t("temperature"): Thresholds(upperCaution: .init(reading: 90))]
    #expect(try device(all, "coretemp-isa-0000", "temp2").thresholds == upper)  // crit 0 under max 90
    #expect(try device(all, "coretemp-isa-0000", "temp3").thresholds == [t("temperature"): Thresholds(upperCritical: .init(reading: 100))])
    #expect(try device(all, "coretemp-isa-0000", "temp4").thresholds  // max 90 under min 95
      == [t("temperature"): Thresholds(lowerCaution: .init(reading: 95), upperCritical: .init(reading: 100))])
    #expect(try device(all, "coretemp-isa-0000", "temp5").thresholds == upper)  // 5000 °C
    let warnings = capture.lines.withLock { $0.filter { $0.hasPrefix("warning hwmon limit") } }
    #expect(warnings.count == 4, "\(warnings)")
    for (file, words) in [("temp2_crit", "0.0 (UpperCritical) is below "), ("temp3_max", "'abc' is not an integer"),
                          ("temp4_max", "90.0 (UpperCaution) is below "), ("temp5_crit", "impossible")] {
      let path = HwmonSettings.canonicalRoot(directory) + "/" + file
      #expect(warnings.contains { $0.contains("\(path) ignored") && $0.contains(words) }, "\(file): \(warnings)")
    }
  }

  @Test func operatorThresholdsWinOverKernelLimitsPerValue() throws {
    let item = try YAMLReaderForTests.parse("""
      thresholds:
        - match: "coretemp-isa-0000;Package id 0"
          temperature: {UpperCaution: {Reading: 70, DwellTime: PT10S}, HysteresisReading: 2}
        - match: "coretemp-isa-0000;temp2"
          temperature: {UpperFatal: {Reading: 95}}
        - match: "coretemp-isa-0000;temp[23]"
          "temperature[zone=cpu]": {UpperCritical: {Reading: 99}}
      """)
    let capture = LogCapture()
    let hwmon = HwmonPlugin(environment: ["HWMON_SYSFS_ROOT": root], logger: capture.logger)
    var config = PluginConfig()
    config.network = .init(type: .tcp, address: "127.0.0.1:0")
    config.dynamicRegistration = [item]
    let all = try hwmon.plugin.build(config: config, deviceConfig: DeviceConfig(devices: []), environment: [:], logger: quiet).devices.devices
    #expect(try device(all, "coretemp-isa-0000", "temp1").thresholds == [t("temperature"): Thresholds(
      upperCaution: .init(reading: 70, dwellTime: .seconds(10)), upperCritical: .init(reading: 100), hysteresisReading: 2)])
    // The operator's fatal 95 is below the kernel's crit 100: the kernel's gives way.
    let zone = ReadingSelector(readingType: "temperature", context: ["zone": "cpu"])
    #expect(try device(all, "coretemp-isa-0000", "temp2").thresholds == [
      t("temperature"): Thresholds(upperCaution: .init(reading: 90), upperFatal: .init(reading: 95)),
      zone: Thresholds(upperCritical: .init(reading: 99)),
    ])
    #expect(capture.lines.withLock { $0.contains { $0.contains("temp2_crit ignored") && $0.contains("the operator's UpperFatal") } })
    #expect(try device(all, "coretemp-isa-0001", "temp1").thresholds[t("temperature")]?.upperCaution?.reading == 90)
  }

  @Test(arguments: [
    ("thresholds: [{match: coretemp, temperature: {UpperCritcal: {Reading: 95}}}]", "thresholds[0].temperature.UpperCritcal"),
    ("thresholds: [{match: coretemp, temperature: {UpperCaution: {Reading: 99}, UpperCritical: {Reading: 90}}}]",
     "thresholds[0].temperature.UpperCritical"),
    ("thresholds: [{match: '(', temperature: {}}]", "thresholds[0].match"),
    ("thresholds: {temperature: {}}", "thresholds"),
  ])
  func badOperatorThresholdsStopTheStartNamingFileAndKey(yaml: String, key: String) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hwmon-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let file = directory.appendingPathComponent("config.yml").path
    try "version: 3\nnetwork: {type: tcp, address: '127.0.0.1:0'}\ndynamicRegistration:\n  config:\n    - \(yaml)\n"
      .write(toFile: file, atomically: false, encoding: .utf8)
    let hwmon = HwmonPlugin(environment: ["HWMON_SYSFS_ROOT": root], logger: quiet)
    let loader = ConfigLoader(environment: ["PLUGIN_CONFIG": file], workingDirectory: directory.path)
    let error = try #require(throws: ConfigError.self) { try hwmon.plugin.load(loader: loader, logger: quiet) }
    #expect(error.file == file && error.key == "dynamicRegistration.config[0].\(key)", "\(error)")
    #expect(!error.description.contains("\n"))
  }

  @Test func alarmFlagsRaiseAtOnceAsReadingContext() async throws {
    let copy = try copyOfTree("server")
    let ina = "\(copy)/devices/pci0000:00/0000:00:1f.4/i2c-1/1-0040/hwmon/hwmon8"
    try "1\n".write(toFile: "\(ina)/in1_crit_alarm", atomically: false, encoding: .utf8)
    let amdgpu = try channel(copy, "amdgpu-pci-8300", "temp3")
    try "1\n".write(toFile: amdgpu.path("emergency_alarm"), atomically: false, encoding: .utf8)
    let adm = try channel(copy, "adm1032-i2c-1-4c", "temp1")
    try "1\n".write(toFile: adm.path("max_alarm"), atomically: false, encoding: .utf8)
    var settings = HwmonSettings()
    settings.sysfsRoot = copy
    let reader = HwmonSensors(
      reader: DeadlineReader(files: PosixSysfsFiles(), deadline: .milliseconds(500), logger: quiet), settings: settings, logger: quiet)
    func alarm(_ chip: String, _ stem: String) async throws -> String? {
      try #require(await reader.read(try channel(copy, chip, stem)).first).context[ReadingAlarm.key]
    }
    #expect(try await alarm("nct6798-isa-0a20", "temp3") == "caution")  // temp3_alarm
    #expect(try await alarm("nct6798-isa-0a20", "in4") == "caution")  // in4_alarm, though no limits are set
    #expect(try await alarm("ina226-i2c-1-40", "in1") == "critical")  // in1_crit_alarm
    #expect(try await alarm("amdgpu-pci-8300", "temp3") == "fatal")  // temp3_emergency_alarm
    #expect(try await alarm("adm1032-i2c-1-4c", "temp1") == "caution")  // temp1_max_alarm
    #expect(try await alarm("coretemp-isa-0000", "temp1") == nil)  // temp1_crit_alarm 0
    #expect(try await alarm("nct6798-isa-0a20", "intrusion1") == nil)  // intrusion is a value, not a flag
    // The chip clears it; the file changes in place, as sysfs files do (the reader keeps it open).
    let flag = try #require(FileHandle(forWritingAtPath: "\(ina)/in1_crit_alarm"))
    try flag.truncate(atOffset: 0)
    try flag.write(contentsOf: Data("0\n".utf8))
    try flag.close()
    try await Task.sleep(for: .milliseconds(250))  // the next read pass (a chip batch serves a pass, 100 ms)
    #expect(try await alarm("ina226-i2c-1-40", "in1") == nil)
  }
}

/// YAML text as the SDK reads plugin config items.
enum YAMLReaderForTests {
  static func parse(_ text: String) throws -> ConfigValue {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hwmon-yaml-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let file = directory.appendingPathComponent("config.yml").path
    try "version: 3\ndynamicRegistration:\n  config:\n    - sysfsRoot: /none\n\(text.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n"))\n"
      .write(toFile: file, atomically: false, encoding: .utf8)
    return try #require(try ConfigLoader(environment: ["PLUGIN_CONFIG": file], workingDirectory: directory.path).loadPluginConfig().dynamicRegistration.first)
  }
}
