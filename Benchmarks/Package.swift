// swift-tools-version:6.1
// The benchmark executables, a package of their own so that the root package builds none of
// them; it depends on the root package by path. Built and run by the bench-*.sh scripts
// beside this file (from the repository root: `Benchmarks/bench-ratios.sh`).
import PackageDescription

// The root manifest's settings, repeated: one manifest cannot import another.
let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
  name: "synse-swift-benchmarks",
  platforms: [.macOS(.v15)],
  dependencies: [
    // `name:` keeps the product references below independent of the clone's folder name.
    .package(name: "synse-swift", path: ".."),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
  ],
  targets: [
    benchmark("plugin-read-bench", path: "PluginReadBench", [
      .product(name: "SynseProtocol", package: "synse-swift"),
      .product(name: "GRPCCore", package: "grpc-swift-2"),
      .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    benchmark("websocket-bench", path: "WebSocketBench", [
      .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
      .product(name: "Logging", package: "swift-log"),
      .product(name: "NIOWebSocket", package: "swift-nio"),
    ]),
    benchmark("hwmon-read-bench", path: "HwmonReadBench", [
      .product(name: "HwmonPlugin", package: "synse-swift"), .product(name: "Logging", package: "swift-log"),
    ]),
    benchmark("redfish-poll-bench", path: "RedfishPollBench", [
      .product(name: "RedfishPlugin", package: "synse-swift"), .product(name: "SynseSDK", package: "synse-swift"),
      .product(name: "Logging", package: "swift-log"), "PollRounds",
    ]),
    benchmark("ipmi-poll-bench", path: "IPMIPollBench", [
      .product(name: "IPMIPlugin", package: "synse-swift"), .product(name: "SynseSDK", package: "synse-swift"), "PollRounds",
    ]),
    benchmark("snmp-poll-bench", path: "SNMPPollBench", [
      .product(name: "SNMPPlugin", package: "synse-swift"), .product(name: "SynseSDK", package: "synse-swift"), "PollRounds",
    ]),
    .target(name: "PollRounds", path: "PollRounds", swiftSettings: swiftSettings),
    benchmark("sse-latency-bench", path: "SSELatencyBench", [
      .product(name: "SynseProtocol", package: "synse-swift"),
      .product(name: "GRPCCore", package: "grpc-swift-2"),
      .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      .product(name: "AsyncHTTPClient", package: "async-http-client"),
      .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
    ]),
    benchmark("bare-hummingbird", path: "BareHummingbird", [
      .product(name: "SynseSupport", package: "synse-swift"), .product(name: "Hummingbird", package: "hummingbird"),
    ]),
  ]
)

/// One benchmark executable in the folder `path`, with the root package's Swift settings.
func benchmark(_ name: String, path: String, _ dependencies: [Target.Dependency]) -> Target {
  .executableTarget(name: name, dependencies: dependencies, path: path, swiftSettings: swiftSettings)
}
