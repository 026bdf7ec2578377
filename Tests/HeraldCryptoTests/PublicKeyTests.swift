import HeraldCrypto
import Testing
import TestSupport

@Suite("Secp256k1.PublicKey")
struct PublicKeyTests {
    static let staticKeyB = RLPxVectors.shared.eip8_handshake.public_keys.static_pubkey_b

    @Test("raw, uncompressed and compressed forms convert into each other")
    func encodings() throws {
        for _ in 0..<16 {
            let key = Secp256k1.PrivateKey().publicKey
            #expect(key.rawRepresentation.count == 64)
            #expect(key.uncompressedRepresentation == [0x04] + key.rawRepresentation)
            #expect(key.compressedRepresentation.count == 33)
            #expect(try Secp256k1.PublicKey(rawRepresentation: key.rawRepresentation) == key)
            #expect(try Secp256k1.PublicKey(uncompressedRepresentation: key.uncompressedRepresentation) == key)
            #expect(try Secp256k1.PublicKey(compressedRepresentation: key.compressedRepresentation) == key)
        }
    }

    @Test("ENR example: compressed key and node ID of static key B")
    func enrExample() throws {
        let enr = RLPxVectors.shared.node_identity.enr_example
        let key = try Secp256k1.PrivateKey(rawRepresentation: hexBytes(enr.private_key)).publicKey
        #expect(hexString(key.compressedRepresentation) == enr.compressed_pubkey)
        #expect(key.nodeID.hex == enr.node_id)
        #expect(key.description == Self.staticKeyB)
        let decompressed = try Secp256k1.PublicKey(compressedRepresentation: hexBytes(enr.compressed_pubkey))
        #expect(decompressed == key)
    }

    @Test("points off the curve are rejected")
    func offCurve() throws {
        var raw = hexBytes(Self.staticKeyB)
        raw[63] ^= 0x01  // change Y: (X, Y') is not on the curve
        #expect(throws: Secp256k1.KeyError.notOnCurve) { try Secp256k1.PublicKey(rawRepresentation: raw) }
        #expect(throws: Secp256k1.KeyError.notOnCurve) { try Secp256k1.PublicKey(uncompressedRepresentation: [4] + raw) }
        #expect(throws: Secp256k1.KeyError.notOnCurve) {
            try Secp256k1.PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 64))
        }
        // X = 5 has no point on secp256k1 (5³ + 7 = 132 is not a square mod p).
        #expect(throws: Secp256k1.KeyError.notOnCurve) {
            try Secp256k1.PublicKey(compressedRepresentation: [0x02] + [UInt8](repeating: 0, count: 31) + [5])
        }
    }

    @Test("wrong lengths and prefixes are rejected")
    func malformed() throws {
        let key = try Secp256k1.PublicKey(rawRepresentation: hexBytes(Self.staticKeyB))
        #expect(throws: Secp256k1.KeyError.wrongLength(expected: 64, actual: 65)) {
            try Secp256k1.PublicKey(rawRepresentation: key.uncompressedRepresentation)
        }
        #expect(throws: Secp256k1.KeyError.wrongLength(expected: 65, actual: 64)) {
            try Secp256k1.PublicKey(uncompressedRepresentation: key.rawRepresentation)
        }
        #expect(throws: Secp256k1.KeyError.wrongLength(expected: 33, actual: 32)) {
            try Secp256k1.PublicKey(compressedRepresentation: key.compressedRepresentation.dropLast())
        }
        // Hybrid encodings (0x06/0x07), which libsecp256k1 would accept, are refused like in geth.
        let hybrid: UInt8 = 0x06 | (key.rawRepresentation[63] & 1)
        #expect(throws: Secp256k1.KeyError.invalidPrefix(hybrid)) {
            try Secp256k1.PublicKey(uncompressedRepresentation: [hybrid] + key.rawRepresentation)
        }
        #expect(throws: Secp256k1.KeyError.invalidPrefix(0x04)) {
            try Secp256k1.PublicKey(compressedRepresentation: [0x04] + key.rawRepresentation[0..<32])
        }
    }

    @Test("error descriptions are readable")
    func descriptions() {
        #expect(Secp256k1.KeyError.wrongLength(expected: 64, actual: 65).description == "key has 65 bytes, want 64")
        #expect(Secp256k1.KeyError.notOnCurve.description.contains("not a point"))
    }
}
