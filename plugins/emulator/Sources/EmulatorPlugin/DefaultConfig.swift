/// The emulator's built-in configuration: the plugin config of docs/plugin-protocol.md §3.1.4
/// and the default device files of §5.4, used when no config files are found.
enum DefaultConfig {
  static let plugin = """
    version: 3
    debug: true
    id:
      useMachineID: false
    network:
      type: tcp
      address: ":5001"
    settings:
      mode: parallel
      read:
        interval: 1s
      write:
        interval: 2s
      cache:
        enabled: true
        ttl: 5m
    """

  static let devices: [(name: String, yaml: String)] = [
    ("airflow.yaml", prototype("airflow", context: "model: emul8-air", instances: [(1, "Synse Airflow Sensor", nil)])),
    ("carousel.yaml", """
      version: 3
      devices:
        - type: status
          context:
            emulated: true
            model: Vapor Carousel
          instances:
            - info: Carousel Get Rack Position
              data: {id: 1}
            - info: Carousel Set Rack Position
              data: {id: 2}
            - info: Carousel State Machine Code
              data: {id: 3}
            - info: Carousel Status Register
              data: {id: 4}
            - info: Carousel VFD Error Code
              data: {id: 5}
        - type: json
          context:
            emulated: true
            model: Vapor Carousel
          instances:
            - info: Carousel Rotate
              data: {id: 6}
      """),
    ("fan.yaml", prototype("fan", context: "model: emul8-fan", instances: [(1, "Synse Fan", nil)])),
    ("humidity.yaml", prototype("humidity", context: "model: emul8-humidity", instances: [(1, "Synse Humidity Sensor", nil)])),
    ("led.yaml", prototype("led", context: "model: emul8-led", instances: [
      (1, "Synse LED", "emulator-led"), (2, "Synse Backup LED", "emulator-backup-led"),
    ])),
    ("lock.yaml", prototype("lock", context: "model: emul8-lock", instances: [(1, "Synse Door Lock", nil)])),
    ("power.yaml", [
      prototype("power", context: "model: emul8-power", instances: [
        (1, "Zone 1 Power", nil), (2, "Zone 2 Power", nil), (3, "Zone 3 Power", nil), (4, "Zone 4 Power", nil),
        (5, "Total Power Usage", nil),
      ]),
      prototypeEntry("voltage", context: "model: emul8-voltage", instances: [(1, "Zone 1 Voltage", nil), (2, "Zone 2 Voltage", nil)]),
      prototypeEntry("energy", context: "model: emul8-energy", instances: [
        (1, "Zone 1 Kilowatt-hour", nil), (2, "Zone 2 Kilowatt-hour", nil),
      ]),
    ].joined(separator: "\n")),
    ("pressure.yaml", prototype("pressure", context: "model: emul8-pressure", instances: [
      (1, "Synse Pressure Sensor 1", nil), (2, "Synse Pressure Sensor 2", nil),
    ])),
    ("temperature.yaml", prototype("temperature", context: "model: emul8-temp", instances: (1...5).map {
      ($0, "Synse Temperature Sensor \($0)", nil)
    })),
    ("ups.yaml", prototype("seconds", context: "model: emul8-ups", instances: [(1, "Seconds on battery power", nil)])),
  ]

  /// A whole file with one prototype.
  private static func prototype(_ type: String, context: String, instances: [(Int, String, String?)]) -> String {
    "version: 3\ndevices:\n" + prototypeEntry(type, context: context, instances: instances)
  }

  /// One `devices` entry: `type`, `context` and instances with `info`, `data.id` and an alias.
  private static func prototypeEntry(_ type: String, context: String, instances: [(Int, String, String?)]) -> String {
    var lines = ["  - type: \(type)", "    context:", "      \(context)", "    instances:"]
    for (id, info, alias) in instances {
      lines.append("      - info: \(info)")
      lines.append("        data: {id: \(id)}")
      if let alias { lines.append("        alias: {name: \(alias)}") }
    }
    return lines.joined(separator: "\n")
  }
}
