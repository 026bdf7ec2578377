// swift-tools-version: 6.1
// Herald's benchmarks, a package of their own so that `swift test` in the
// main package stays lean. Run with `make bench` from the repository root.
import PackageDescription

/// What both agent benchmarks (AgentDelivery, AgentMemory) link.
let agentBenchmarkDependencies: [Target.Dependency] = [
    "BenchmarkSupport",
    .product(name: "HeraldAgent", package: "Herald"),
    .product(name: "HeraldCrypto", package: "Herald"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "Benchmark", package: "benchmark"),
]

let package = Package(
    name: "HeraldBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Herald", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // OpenSSL's libcrypto, as the baseline the Crypto suite measures against.
        .systemLibrary(name: "OpenSSLReference", path: "OpenSSLReference"),
        // Keccak-256 (against OpenSSL SHA3-256), secp256k1, ECIES.
        .executableTarget(
            name: "CryptoSuite",   // not "Crypto": swift-crypto (via HeraldAgent's HTTP client) has a module of that name
            dependencies: [
                "OpenSSLReference",
                .product(name: "HeraldCrypto", package: "Herald"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Crypto",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // RLP encode + decode of an announcement-sized nested structure.
        .executableTarget(
            name: "RLPCodec",
            dependencies: [
                .product(name: "RLP", package: "Herald"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "RLPCodec",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Membership: audit of a 100k-entry log against 100k bare recovers; state recomputation.
        .executableTarget(
            name: "MembershipSuite",   // not "Membership": that is the module it measures
            dependencies: [
                .product(name: "HeraldCrypto", package: "Herald"),
                .product(name: "Membership", package: "Herald"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Membership",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Whisper seal/open against the recover + GCM floor; envelope PoW.
        .executableTarget(
            name: "WhisperSeal",
            dependencies: [
                .product(name: "HeraldCrypto", package: "Herald"),
                .product(name: "Whisper", package: "Herald"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "WhisperSeal",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // RLPx handshakes per second and frame throughput against the crypto floor.
        .executableTarget(
            name: "RLPxTransport",
            dependencies: [
                .product(name: "HeraldCrypto", package: "Herald"),
                .product(name: "RLPx", package: "Herald"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "RLPxTransport",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // What the agent benchmarks share: node keys, their genesis policy, polling, the fixture for teardown.
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "HeraldCrypto", package: "Herald")],
            path: "Support"
        ),
        // Announce → all acked across N in-process agents on loopback; envelopes and bytes per announcement.
        .executableTarget(
            name: "AgentDelivery",
            dependencies: agentBenchmarkDependencies,
            path: "AgentDelivery",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Resident memory of a real `herald run` process with 50 connected in-process peers.
        .executableTarget(
            name: "AgentMemory",
            dependencies: agentBenchmarkDependencies,
            path: "AgentMemory",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
