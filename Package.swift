// swift-tools-version: 6.1
// Herald: membership agent for permissioned Ethereum networks.
// Module layout and data flow: see README.md ("Module map").
import PackageDescription
#if canImport(Glibc)
import Glibc

/// Whether the building machine's glibc loads packed relative relocations
/// (DT_RELR, from glibc 2.36): a binary linked with them does not start on an older one.
let glibcLoadsPackedRelocations: Bool = {
    var text = [UInt8](repeating: 0, count: 64)   // "glibc 2.36"
    let length = text.withUnsafeMutableBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { confstr(Int32(_CS_GNU_LIBC_VERSION), $0.baseAddress, $0.count) }
    }
    guard length > 1, length <= text.count else { return false }
    let name = String(decoding: text[..<(length - 1)], as: UTF8.self)
    let version = name.split(separator: " ").last?.split(separator: ".").compactMap { Int($0) } ?? []
    return version.count >= 2 && (version[0], version[1]) >= (2, 36)
}()
#else
let glibcLoadsPackedRelocations = false
#endif

let package = Package(
    name: "Herald",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "HeraldCrypto", targets: ["HeraldCrypto"]),
        .library(name: "RLP", targets: ["RLP"]),
        .library(name: "Whisper", targets: ["Whisper"]),
        .library(name: "RLPx", targets: ["RLPx"]),
        .library(name: "Membership", targets: ["Membership"]),
        .library(name: "HeraldAgent", targets: ["HeraldAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian packages (see `make deps`); module maps only.
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CSnappy",
            pkgConfig: "snappy",
            providers: [.apt(["libsnappy-dev"])]
        ),

        // Keccak-256, secp256k1, AES, HMAC, SHA-256, concat KDF, ECIES.
        .target(name: "HeraldCrypto", dependencies: ["CSecp256k1", "COpenSSL"]),
        // Recursive Length Prefix encoding with canonical-form checks.
        .target(name: "RLP"),
        .target(name: "Whisper", dependencies: ["HeraldCrypto", "RLP"]),
        // devp2p RLPx: EIP-8 handshake, framing, p2p base protocol, Snappy.
        .target(
            name: "RLPx",
            dependencies: [
                "HeraldCrypto", "RLP", "CSnappy", "Whisper",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),

        // Announcements, acks, YAML policy, convergent state, membership log (no sockets).
        .target(
            name: "Membership",
            dependencies: [
                "HeraldCrypto", "RLP",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The daemon: peers, delivery, anti-entropy, control socket, metrics endpoint.
        .target(
            name: "HeraldAgent",
            dependencies: [
                "HeraldCrypto", "RLP", "Whisper", "RLPx", "Membership", "NodeAdapters",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The command-line tool.
        .executableTarget(
            name: "herald",
            dependencies: [
                "Membership", "HeraldCrypto", "HeraldAgent",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [
                // Release on Linux: lld packs the relative relocations (DT_RELR, where the
                // building machine's glibc is 2.36 or later, so that the binary starts there)
                // into a few kB instead of a 1.3 MB table (3 MB with --static-swift-stdlib)
                // that the loader reads at every start, resident for the agent's whole life.
                // --no-export-dynamic undoes the -export-dynamic that --static-swift-stdlib
                // adds: every symbol of the stdlib and Foundation in .dynsym, searched by the
                // loader for each shared-library symbol (2.7 MB resident). Nothing looks up
                // herald's own symbols at run time (the runtime finds metadata by section).
                .unsafeFlags(["-use-ld=lld"]
                                 + (glibcLoadsPackedRelocations ? ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] : [])
                                 + ["-Xlinker", "--no-export-dynamic"],
                             .when(platforms: [.linux], configuration: .release)),
            ]
        ),

        // Node adapters: apply the member list to GoQuorum, Besu, geth or a command.
        .target(
            name: "NodeAdapters",
            dependencies: [
                "HeraldCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),

        // Fuzz targets (Fuzz/): one per decoder, run under libFuzzer by `make fuzz`,
        // replayed by FuzzRegressionTests.
        .target(
            name: "FuzzTargets",
            dependencies: ["HeraldCrypto", "RLP", "Whisper", "RLPx", "Membership", "HeraldAgent", "TestSupport"],
            path: "Fuzz/FuzzTargets"
        ),
        .executableTarget(name: "herald-fuzz", dependencies: ["FuzzTargets"], path: "Fuzz/Driver"),

        // Shared by the test targets: locating and decoding Tests/TestVectors,
        // seeded randomness, temporary directories, the agent tests' node keys and genesis policy.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // The trait that makes the machine-loading tests run one at a time.
        .target(name: "TestTurns", path: "Tests/TestTurns"),
        // A plain TCP client that speaks raw RLPx bytes, for the hostile-peer tests.
        .target(
            name: "RawPeer",
            dependencies: [
                "RLPx", "HeraldCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/RawPeer"
        ),
        // A recording JSON-RPC 2.0 node (HTTP, http+unix, IPC) for adapter and agent tests.
        .target(
            name: "FakeNode",
            dependencies: [
                "HeraldCrypto", "NodeAdapters", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/FakeNode"
        ),
        .testTarget(name: "HeraldCryptoTests", dependencies: ["HeraldCrypto", "RLP", "TestSupport"]),
        .testTarget(name: "RLPTests", dependencies: ["RLP", "TestSupport"]),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets"], path: "Tests/FuzzTests"),
        .testTarget(
            name: "NodeAdaptersTests",
            dependencies: [
                "NodeAdapters", "HeraldCrypto", "TestSupport", "FakeNode",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "MembershipTests",
            dependencies: ["Membership", "HeraldCrypto", "RLP", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "HeraldAgentTests",
            dependencies: [
                "HeraldAgent", "Membership", "HeraldCrypto", "NodeAdapters", "RLP", "RLPx", "Whisper", "TestSupport", "FakeNode", "RawPeer", "TestTurns",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "HeraldCLITests", dependencies: ["herald", "Membership", "HeraldCrypto", "TestSupport", "TestTurns"]),
        .testTarget(name: "WhisperTests", dependencies: ["Whisper", "HeraldCrypto", "RLP", "TestSupport"]),
        .testTarget(
            name: "RLPxTests",
            dependencies: [
                "RLPx", "HeraldCrypto", "RLP", "Whisper", "TestSupport", "RawPeer", "TestTurns",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
