import HeraldCrypto
import TestSupport

/// Typed access to `rlpx-eip8-vectors.json` (untyped JSON: its sections differ in shape).
enum Vectors {
    static func section(_ path: String...) throws -> [String: Any] {
        try TestVectors.section(of: "rlpx-eip8-vectors.json", path: path)
    }

    static func privateKey(_ hex: String) throws -> Secp256k1.PrivateKey {
        try Secp256k1.PrivateKey(rawRepresentation: hexBytes(hex))
    }

    static func publicKey(_ hex: String) throws -> Secp256k1.PublicKey {
        try Secp256k1.PublicKey(rawRepresentation: hexBytes(hex))
    }
}
