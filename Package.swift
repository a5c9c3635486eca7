// swift-tools-version:6.1
import Foundation
import PackageDescription

let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
  name: "synse-swift",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "SynseProtocol", targets: ["SynseProtocol"]),
    .library(name: "SynseSDK", targets: ["SynseSDK"]),
    // For the benchmarks package (Benchmarks/Package.swift), which depends on this one by path.
    .library(name: "HwmonPlugin", targets: ["HwmonPlugin"]),
    .library(name: "RedfishPlugin", targets: ["RedfishPlugin"]),
    .library(name: "IPMIPlugin", targets: ["IPMIPlugin"]),
    .library(name: "SNMPPlugin", targets: ["SNMPPlugin"]),
    .library(name: "SynseSupport", targets: ["SynseSupport"]),
    // For Benchmarks/HealthEvaluation (the health evaluation's cost per reading).
    .library(name: "SynseServerCore", targets: ["SynseServerCore"]),
    .executable(name: "synse-server", targets: ["synse-server"]),
    .executable(name: "synse-emulator-plugin", targets: ["synse-emulator-plugin"]),
    .executable(name: "synse-hwmon-plugin", targets: ["synse-hwmon-plugin"]),
    .executable(name: "synse-redfish-plugin", targets: ["synse-redfish-plugin"]),
    .executable(name: "synse-ipmi-plugin", targets: ["synse-ipmi-plugin"]),
    .executable(name: "synse-snmp-plugin", targets: ["synse-snmp-plugin"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    // HummingbirdBcrypt only: the bcrypt hashes of a Prometheus web config file's basic_auth_users.
    .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
    .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
    .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0"),
    .package(url: "https://github.com/swift-otel/swift-w3c-trace-context.git", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
  ],
  targets: [
    .target(
      name: "SynseProtocol",
      dependencies: [
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "SynseSDK",
      dependencies: [
        "SynseProtocol", "Systemd", "ProcessMetrics", "SynseSupport", "SynseTelemetry",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "SynseServerCore",
      dependencies: [
        "SynseProtocol", "SynseSupport", "SynseTelemetry",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "SwiftASN1", package: "swift-asn1"),
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "JWTKit", package: "jwt-kit"),
        "ProcessMetrics",
      ],
      swiftSettings: swiftSettings
    ),
    .target(name: "ProcessMetrics", swiftSettings: swiftSettings),
    // The flags and start-up every plugin executable shares.
    .target(
      name: "PluginCommand",
      dependencies: [
        "SynseSDK", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(name: "SynseSupport", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: swiftSettings),
    // OpenTelemetry for the server and the SDK alike: the OTLP backends, gRPC trace propagation.
    .target(
      name: "SynseTelemetry",
      dependencies: [
        .product(name: "OTel", package: "swift-otel"),
        .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Instrumentation", package: "swift-distributed-tracing"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        "SynseSupport",
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "SynseServer",
      dependencies: [
        "SynseServerCore", "SynseSupport",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Instrumentation", package: "swift-distributed-tracing"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "NIOExtras", package: "swift-nio-extras"),
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "SwiftASN1", package: "swift-asn1"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "SynseServerApp",
      dependencies: [
        "SynseServer", "SynseServerCore", "EmulatorPlugin", "SynseSDK", "Systemd", "SynseTelemetry",
        .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "synse-server",
      dependencies: [
        "SynseServerApp", "SynseServer", "Systemd",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "EmulatorPlugin",
      dependencies: ["SynseSDK"],
      path: "plugins/emulator/Sources/EmulatorPlugin",
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "synse-emulator-plugin",
      dependencies: [
        "EmulatorPlugin", "SynseSDK",
        "PluginCommand", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "plugins/emulator/Sources/synse-emulator-plugin",
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HwmonPlugin",
      dependencies: ["SynseSDK", "SynseSupport", .product(name: "Logging", package: "swift-log")],
      path: "plugins/hwmon/Sources/HwmonPlugin",
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "synse-hwmon-plugin",
      dependencies: [
        "HwmonPlugin", "SynseSDK",
        "PluginCommand", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "plugins/hwmon/Sources/synse-hwmon-plugin",
      swiftSettings: swiftSettings
    ),
    .target(
      name: "RedfishPlugin",
      dependencies: [
        "SynseSDK", "SynseSupport",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "plugins/redfish/Sources/RedfishPlugin",
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "synse-redfish-plugin",
      dependencies: [
        "RedfishPlugin", "SynseSDK",
        "PluginCommand", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "plugins/redfish/Sources/synse-redfish-plugin",
      swiftSettings: swiftSettings
    ),
    .target(
      name: "IPMIPlugin",
      dependencies: ["SynseSDK", "SynseSupport", "CFreeIPMI", .product(name: "Logging", package: "swift-log")],
      path: "plugins/ipmi/Sources/IPMIPlugin",
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "synse-ipmi-plugin",
      dependencies: [
        "IPMIPlugin", "SynseSDK",
        "PluginCommand", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "plugins/ipmi/Sources/synse-ipmi-plugin",
      swiftSettings: swiftSettings
    ),
    .systemLibrary(name: "CFreeIPMI", pkgConfig: "libfreeipmi", providers: [.apt(["libfreeipmi-dev"])]),
    .target(
      name: "SNMPPlugin",
      dependencies: ["SynseSDK", "SynseSupport", "CNetSNMP", .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams")],
      path: "plugins/snmp/Sources/SNMPPlugin",
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "synse-snmp-plugin",
      dependencies: [
        "SNMPPlugin", "SynseSDK",
        "PluginCommand", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "plugins/snmp/Sources/synse-snmp-plugin",
      swiftSettings: swiftSettings
    ),
    .systemLibrary(name: "CNetSNMP", pkgConfig: "netsnmp", providers: [.apt(["libsnmp-dev"])]),
    .executableTarget(
      name: "synse-example-plugin",
      dependencies: ["SynseSDK", .product(name: "Logging", package: "swift-log")],
      path: "examples/plugins/Sources/synse-example-plugin",
      swiftSettings: swiftSettings
    ),
    .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
    .target(
      name: "Systemd",
      dependencies: [
        "CSystemd", .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "SynseSDKTests",
      dependencies: [
        "SynseSDK", "SynseProtocol", "SynseSupport",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "SynseServerTests",
      dependencies: [
        "SynseServer", "SynseServerCore", "SynseServerCoreTests",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "SystemdTests",
      dependencies: [
        "Systemd", .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "SynseServerCoreTests",
      dependencies: ["SynseServerCore", .product(name: "NIOCore", package: "swift-nio")],
      swiftSettings: swiftSettings
    ),
    .testTarget(name: "SynseSupportTests", dependencies: ["SynseSupport"], swiftSettings: swiftSettings),
    .testTarget(
      name: "HwmonPluginTests",
      dependencies: ["HwmonPlugin", "SynseSDK", "SynseSupport", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "RedfishPluginTests",
      dependencies: ["RedfishPlugin", "SynseSDK", "SynseSupport", "PeerSupport", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "IPMIPluginTests",
      dependencies: ["IPMIPlugin", "SynseSDK", "SynseSupport", "PeerSupport"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "SNMPPluginTests",
      dependencies: ["SNMPPlugin", "SynseSDK", "SynseSupport", "PeerSupport", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings
    ),
    // Starting and reaching the real peers of the plugin tests (ipmi_sim, snmpsim).
    .target(name: "PeerSupport", path: "Tests/PeerSupport", swiftSettings: swiftSettings),
    // The fuzz targets (Tests/Fuzz, scripts/fuzz.sh); the test suite replays their corpus.
    .target(
      name: "SynseFuzzTargets",
      dependencies: [
        "SynseServer", "SynseServerCore", "SynseSDK", "HwmonPlugin", .product(name: "HTTPTypes", package: "swift-http-types"),
      ],
      path: "Tests/Fuzz/Targets",
      swiftSettings: swiftSettings
    ),
    .testTarget(name: "FuzzRegressionTests", dependencies: ["SynseFuzzTargets"], swiftSettings: swiftSettings),
    .testTarget(
      name: "EmulatorPluginTests",
      dependencies: [
        "EmulatorPlugin", "SynseSDK", "SynseProtocol",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      ],
      swiftSettings: swiftSettings
    ),
  ]
)

// The libFuzzer binary, only when scripts/fuzz.sh asks (SYNSETEST_FUZZ=1). Only this package's
// own modules are built with the sanitizers (coverage for libFuzzer, AddressSanitizer), and
// the executable links their runtimes: the dependencies, built as usual, are reused from
// `.build` instead of built again with `-Xswiftc -sanitize=…` (15 of CI's 47 minutes).
if ProcessInfo.processInfo.environment["SYNSETEST_FUZZ"] == "1" {
  let sanitizers: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-g"])]
  for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + sanitizers
  }
  package.targets.append(
    .executableTarget(
      name: "synse-fuzz", dependencies: ["SynseFuzzTargets"], path: "Tests/Fuzz/Main",
      swiftSettings: swiftSettings + sanitizers, linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]))
  package.products.append(.executable(name: "synse-fuzz", targets: ["synse-fuzz"]))
}
