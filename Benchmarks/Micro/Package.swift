// swift-tools-version: 6.1
// The kernel's micro-benchmarks (ordo-one/benchmark: wall clock, CPU and allocation counts).
// A package of its own so that neither `swift build` nor the test suite of the server
// builds the benchmark framework. Run from this folder:
//     swift package benchmark                       (all)
//     swift package benchmark --filter "fan-out.*"  (some)
import PackageDescription

let package = Package(
    name: "switchboard-microbenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "switchboard", path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "KernelHotPath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HubKernel", package: "switchboard"),
                .product(name: "HubTesting", package: "switchboard"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/KernelHotPath",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
