import Foundation
import HwmonPlugin
import Logging
import Synchronization
import SynseSDK
import Testing

/// Fails or blocks chosen files, passing the rest to the real tree.
final class FaultyFiles: SysfsFiles {
  let failures = Mutex<[String: Int32]>([:])
  let blocking = Mutex<Set<String>>([])

  func read(_ path: String) throws(SysfsError) -> String {
    if let code = failures.withLock({ $0.first { path.hasSuffix($0.key) }?.value }) { throw SysfsError(path: path, errno: code) }
    // Longer than any test runs: "blocked" never returns in time, however loaded the machine.
    if blocking.withLock({ $0.contains { path.hasSuffix($0) } }) { Thread.sleep(forTimeInterval: 120) }
    return try PosixSysfsFiles().read(path)
  }

  func write(_ path: String, _ value: String) throws(SysfsError) { try PosixSysfsFiles().write(path, value) }
}

func sensors(_ files: any SysfsFiles, timeout: Duration = .milliseconds(200)) throws -> HwmonSensors {
  var settings = HwmonSettings()
  settings.readTimeout = timeout
  return HwmonSensors(reader: DeadlineReader(files: files, deadline: timeout, logger: quiet), settings: settings, logger: quiet)
}

func channel(_ root: String, _ chip: String, _ stem: String) throws -> HwmonChannel {
  try #require(channels(root).first { $0.chip.displayName == chip && $0.stem == stem })
}

@Suite struct HwmonReadTests {
  let root = fixtures.appendingPathComponent("server").path

  @Test func valuesComeOutScaledWithTheirUnits() async throws {
    let reader = try sensors(PosixSysfsFiles())
    func value(_ chip: String, _ stem: String, output: String? = nil) async throws -> Reading {
      let readings = await reader.read(try channel(root, chip, stem))
      return try #require(readings.first { output == nil || $0.output.name == output })
    }
    #expect(try await value("coretemp-isa-0000", "temp1").value == .float64(41.0))
    #expect(try await value("coretemp-isa-0000", "temp1").output.unit?.symbol == "C")
    #expect(try await value("nct6798-isa-0a20", "in2").value == .float64(3.392))
    #expect(try await value("nct6798-isa-0a20", "fan1").value == .float64(1054))
    #expect(try await value("nct6798-isa-0a20", "pwm3", output: "percentage").value == .float64(128.0 * 100 / 255))
    #expect(try await value("nct6798-isa-0a20", "pwm1", output: "state").value == .string("auto(5)"))
    #expect(try await value("ina226-i2c-1-40", "curr1").value == .float64(1.52))
    #expect(try await value("ina226-i2c-1-40", "power1").value == .float64(18.385))
    #expect(try await value("power_meter-acpi-0", "power1").value == .float64(231))
    #expect(try await value("i915-pci-0300", "energy1").value == .float64(123_456.789012))
    #expect(try await value("sht3x-i2c-1-44", "humidity1").value == .float64(41.2))
    #expect(try await value("nct6798-isa-0a20", "intrusion1").value == .string("intrusion detected"))
    #expect(try await value("nct6798-isa-0a20", "temp3").context["alarm"] == "1")
    let fault = try await value("adm1032-i2c-1-4c", "temp2")
    #expect(fault.value == .none && fault.context["invalid"]?.contains("fault") == true)
    #expect(await reader.read(try channel(root, "i915-pci-0300", "power1")).isEmpty)
  }

  @Test func limitsAreDeviceContextWithoutSentinels() throws {
    let devices = try runtime(root: root).devices.devices
    let composite = try #require(devices.first { $0.info == "Composite" && $0.context["chip"] == "nvme-pci-3d00" })
    #expect(composite.context["max"] == "84.85" && composite.context["crit"] == "94.85" && composite.context["min"] == "-0.15")
    let sensor8 = try #require(devices.first { $0.info == "Sensor 8" })
    #expect(sensor8.context["max"] == nil)
    #expect(devices.first { $0.context["chip"] == "amdgpu-pci-8300" && $0.info == "mem" }?.context["crit_hyst"] == nil)
  }

  @Test func impossibleValuesAreInvalidNotReadings() async throws {
    let copy = try copyOfTree("server")
    let sensor = try channel(copy, "coretemp-isa-0000", "temp2")
    try "4294967295000\n".write(toFile: sensor.path("input"), atomically: false, encoding: .utf8)
    let reading = try #require(await sensors(PosixSysfsFiles()).read(sensor).first)
    #expect(reading.value == .none && reading.context["invalid"]?.contains("physically impossible") == true)
    try "95.0%\n".write(toFile: sensor.path("input"), atomically: false, encoding: .utf8)
    #expect(try #require(await sensors(PosixSysfsFiles()).read(sensor).first).context["invalid"]?.contains("not an integer") == true)
  }

  @Test func failingAndBlockingFilesNeverStallOthers() async throws {
    let files = FaultyFiles()
    let reader = try sensors(files)
    let good = try channel(root, "coretemp-isa-0000", "temp1")
    let flaky = try channel(root, "coretemp-isa-0000", "temp2")
    let slow = try channel(root, "power_meter-acpi-0", "power1")
    #expect(await reader.read(flaky).first?.value == .float64(39))
    files.failures.withLock { $0["temp2_input"] = EIO }
    files.blocking.withLock { _ = $0.insert("power1_average") }
    let clock = ContinuousClock()
    let start = clock.now
    async let blocked = reader.read(slow)
    async let failed = reader.read(flaky)
    async let fine = reader.read(good)
    let (slowReadings, flakyReadings, goodReadings) = await (blocked, failed, fine)
    // Bounded by the 200 ms deadline, not the file (it never returns); 75 deadlines of room,
    // since the other suites share the two CPUs.
    #expect(clock.now - start < .seconds(15))
    #expect(goodReadings.first?.value == .float64(41))
    // EIO: the last good value, marked stale and naming the file.
    #expect(flakyReadings.first?.value == .float64(39))
    #expect(flakyReadings.first?.context["stale"]?.contains("temp2_input") == true)
    // A blocked read with no earlier value: invalid, saying it timed out.
    #expect(slowReadings.first?.value == ReadingValue.none && slowReadings.first?.context["invalid"]?.contains("in time") == true, "\(slowReadings)")
    files.failures.withLock { $0["temp2_input"] = ENODATA }
    #expect(await reader.read(flaky).first?.context["stale"]?.contains("No data") == true)
    files.failures.withLock { $0.removeAll() }
    #expect(await reader.read(flaky).first?.context["stale"] == nil)
  }
}

@Suite struct HwmonWriteTests {
  @Test func pwmWritesSwitchToManualAndRestore() throws {
    let copy = try copyOfTree("server")
    let pwm1 = try channel(copy, "nct6798-isa-0a20", "pwm1")
    let control = HwmonControl(files: PosixSysfsFiles(), minimumPWM: 0, logger: quiet)
    try control.write(pwm1, action: "pwm", data: "200")
    #expect(try PosixSysfsFiles().read(pwm1.path("")) == "200")
    #expect(try PosixSysfsFiles().read(pwm1.path("enable")) == "1")
    try control.write(pwm1, action: "duty", data: "50")
    #expect(try PosixSysfsFiles().read(pwm1.path("")) == "128")
    control.restoreAll()
    #expect(try PosixSysfsFiles().read(pwm1.path("enable")) == "5")
    try control.write(pwm1, action: "mode", data: "auto")
    #expect(try PosixSysfsFiles().read(pwm1.path("enable")) == "2")
    let intrusion = try channel(copy, "nct6798-isa-0a20", "intrusion1")
    try control.write(intrusion, action: "clear", data: "")
    #expect(try PosixSysfsFiles().read(intrusion.path("alarm")) == "0")
  }

  @Test func badWritesAreRefusedBeforeTouchingAFile() throws {
    let copy = try copyOfTree("server")
    let pwm3 = try channel(copy, "nct6798-isa-0a20", "pwm3")
    let control = HwmonControl(files: PosixSysfsFiles(), minimumPWM: 60, logger: quiet)
    for (action, data) in [("pwm", "abc"), ("pwm", "256"), ("pwm", "-1"), ("pwm", "12.5"), ("pwm", "30"), ("duty", "150"), ("duty", "x"), ("duty", "10"), ("mode", "turbo"), ("speed", "1")] {
      #expect(throws: HandlerError.self, "\(action)=\(data)") { try control.write(pwm3, action: action, data: data) }
    }
    #expect(try PosixSysfsFiles().read(pwm3.path("")) == "128")
    let temp = try channel(copy, "coretemp-isa-0000", "temp1")
    #expect(throws: HandlerError.self) { try control.write(temp, action: "pwm", data: "100") }
    let fan = try channel(copy, "nct6798-isa-0a20", "fan1")
    #expect(HwmonControl.actions(for: fan).isEmpty)
  }
}
