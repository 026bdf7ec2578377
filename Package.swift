// swift-tools-version: 6.1
// Herald: membership agent for permissioned Ethereum networks.
// Module layout and data flow: see README.md ("Module map").
import PackageDescription

let package = Package(
    name: "Herald",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "HeraldCrypto", targets: ["HeraldCrypto"]),
        .library(name: "RLP", targets: ["RLP"]),
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

        // Keccak-256, secp256k1, AES, HMAC, SHA-256, concat KDF, ECIES.
        .target(name: "HeraldCrypto", dependencies: ["CSecp256k1", "COpenSSL"]),
        // Recursive Length Prefix encoding with canonical-form checks.
        .target(name: "RLP"),

        // Shared by the test targets: locating and decoding Tests/TestVectors.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HeraldCryptoTests", dependencies: ["HeraldCrypto", "RLP", "TestSupport"]),
        .testTarget(name: "RLPTests", dependencies: ["RLP", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
