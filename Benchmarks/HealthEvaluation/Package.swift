// swift-tools-version:6.1
// The health evaluation's cost per reading (issue 17: ≤ 2 µs at 10,000 sensors read once a
// second), an ordo-one package-benchmark suite in a package of its own, so that neither the
// root package nor Benchmarks/Package.swift resolves package-benchmark and its allocator
// interposer. Depends on the root package by path. Run from the repository root:
//   swift package --package-path Benchmarks/HealthEvaluation benchmark
// (a release build; package-benchmark wants its sources under Benchmarks/<target>, hence the
// nested folder).
import PackageDescription

/// The suite: package-benchmark's plugin generates its `main`; the root manifest's Swift settings
/// are repeated (one manifest cannot import another).
let healthEvaluation = Target.executableTarget(
  name: "HealthEvaluation",
  dependencies: [
    .product(name: "Benchmark", package: "package-benchmark"),
    .product(name: "SynseServerCore", package: "synse-swift"), .product(name: "SynseSupport", package: "synse-swift"),
  ],
  path: "Benchmarks/HealthEvaluation",
  swiftSettings: [
    .swiftLanguageMode(.v6), .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"), .enableUpcomingFeature("InternalImportsByDefault"),
  ],
  plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
)

let package = Package(
  name: "synse-health-evaluation-benchmark",
  platforms: [.macOS(.v15)],
  dependencies: [
    .package(name: "synse-swift", path: "../.."),
    // Its default traits add a Swift 6.3 ARC runtime interposer (swift-runtime-interposer) that
    // allocation counts do not need: the malloc interposer alone.
    .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [healthEvaluation]
)
