import HeraldCrypto
import Testing
import TestSupport

@Suite("Secp256k1.RecoverableSignature")
struct RecoverableSignatureTests {
    /// secp256k1 order n, big-endian.
    static let order = hexBytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

    /// n − s for a 32-byte big-endian s.
    static func negate(_ s: ArraySlice<UInt8>) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in (0..<32).reversed() {
            var digit = Int(order[i]) - Int(s[s.startIndex + i]) - borrow
            borrow = digit < 0 ? 1 : 0
            if digit < 0 { digit += 256 }
            result[i] = UInt8(digit)
        }
        return result
    }

    /// The twin signature (r, n − s, v ⊕ 1): valid ECDSA, but high-s.
    static func highSTwin(of signature: Secp256k1.RecoverableSignature) -> [UInt8] {
        let raw = signature.rawRepresentation
        return Array(raw[0..<32]) + negate(raw[32..<64]) + [raw[64] ^ 1]
    }

    @Test("sign, recover and verify round-trip for random keys and digests")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 0x5EC9_256B)
        for _ in 0..<64 {
            let key = Secp256k1.PrivateKey()
            let digest = generator.bytes(32)
            let signature = try key.signature(forDigest: digest)
            #expect(signature.rawRepresentation.count == 65)
            #expect(signature.recoveryID <= 1)
            #expect(try signature.recoverPublicKey(forDigest: digest) == key.publicKey)
            #expect(key.publicKey.isValidSignature(signature, forDigest: digest))
            // Another digest or another key does not verify.
            var otherDigest = digest
            otherDigest[0] ^= 0x80
            #expect(!key.publicKey.isValidSignature(signature, forDigest: otherDigest))
            #expect(!Secp256k1.PrivateKey().publicKey.isValidSignature(signature, forDigest: digest))
            // Parsing the raw bytes gives the same signature.
            #expect(try Secp256k1.RecoverableSignature(rawRepresentation: signature.rawRepresentation) == signature)
        }
    }

    @Test("the EIP-8 auth signature recovers to ephemeral key A")
    func eip8AuthSignature() throws {
        // sig signs ECDH(static A, static B) XOR nonce A with ephemeral key A (geth p2p/rlpx_test.go).
        let vectors = RLPxVectors.shared.eip8_handshake
        let staticA = try Secp256k1.PrivateKey(rawRepresentation: hexBytes(vectors.keys.static_key_a))
        let staticB = try Secp256k1.PublicKey(rawRepresentation: hexBytes(vectors.public_keys.static_pubkey_b))
        let ephemeralA = try Secp256k1.PrivateKey(rawRepresentation: hexBytes(vectors.keys.ephemeral_key_a))
        let digest = zip(staticA.sharedSecret(with: staticB), hexBytes(vectors.keys.nonce_a)).map { $0 ^ $1 }
        let signature = try Secp256k1.RecoverableSignature(rawRepresentation: hexBytes(vectors.auth_signature.value))
        #expect(try signature.recoverPublicKey(forDigest: digest) == ephemeralA.publicKey)
        #expect(ephemeralA.publicKey.isValidSignature(signature, forDigest: digest))
        // Our own signature over the same digest differs (the vector's nonce
        // was not RFC 6979) but verifies the same way.
        let ours = try ephemeralA.signature(forDigest: digest)
        #expect(try ours.recoverPublicKey(forDigest: digest) == ephemeralA.publicKey)
    }

    @Test("signatures are deterministic (RFC 6979 nonces, as geth)")
    func deterministic() throws {
        let key = Secp256k1.PrivateKey()
        let digest = SecureRandom.bytes(count: 32)
        #expect(try key.signature(forDigest: digest) == key.signature(forDigest: digest))
    }

    @Test("whisper secp256k1_recover vectors", arguments: WhisperVectors.category("secp256k1_recover"))
    func whisperRecover(vector: WhisperVectors.Vector) throws {
        let signature = try Secp256k1.RecoverableSignature(rawRepresentation: hexBytes(try #require(vector.input.signature)))
        let digest = hexBytes(try #require(vector.input.digest))
        let key = try signature.recoverPublicKey(forDigest: digest)
        #expect(hexString(key.uncompressedRepresentation) == vector.expected.public_key_uncompressed)
        #expect(key.isValidSignature(signature, forDigest: digest))
    }

    @Test("high-s twins are rejected by recover and verify")
    func highS() throws {
        for _ in 0..<16 {
            let key = Secp256k1.PrivateKey()
            let digest = SecureRandom.bytes(count: 32)
            let low = try key.signature(forDigest: digest)
            let high = try Secp256k1.RecoverableSignature(rawRepresentation: Self.highSTwin(of: low))
            #expect(throws: Secp256k1.SignatureError.highS) { try high.recoverPublicKey(forDigest: digest) }
            #expect(!key.publicKey.isValidSignature(high, forDigest: digest))
            #expect(key.publicKey.isValidSignature(low, forDigest: digest))
        }
    }

    @Test("recovery ids other than 0 and 1 are rejected", arguments: [UInt8(2), 3, 27, 28, 255])
    func recoveryID(v: UInt8) throws {
        let signature = try Secp256k1.PrivateKey().signature(forDigest: [UInt8](repeating: 7, count: 32))
        let raw = Array(signature.rawRepresentation[0..<64]) + [v]
        #expect(throws: Secp256k1.SignatureError.invalidRecoveryID(v)) {
            try Secp256k1.RecoverableSignature(rawRepresentation: raw)
        }
    }

    @Test("a wrong recovery id recovers another key and does not verify")
    func flippedRecoveryID() throws {
        let key = Secp256k1.PrivateKey()
        let digest = [UInt8](repeating: 0x42, count: 32)
        let signature = try key.signature(forDigest: digest)
        let flipped = try Secp256k1.RecoverableSignature(
            rawRepresentation: signature.rawRepresentation[0..<64] + [signature.recoveryID ^ 1])
        #expect((try? flipped.recoverPublicKey(forDigest: digest)) != key.publicKey)
        #expect(!key.publicKey.isValidSignature(flipped, forDigest: digest))
    }

    @Test("malformed signatures and digests are rejected")
    func malformed() throws {
        let key = Secp256k1.PrivateKey()
        let signature = try key.signature(forDigest: [UInt8](repeating: 1, count: 32))
        #expect(throws: Secp256k1.SignatureError.wrongLength(expected: 65, actual: 64)) {
            try Secp256k1.RecoverableSignature(rawRepresentation: signature.rawRepresentation.dropLast())
        }
        #expect(throws: Secp256k1.SignatureError.invalidScalar) {
            try Secp256k1.RecoverableSignature(rawRepresentation: [UInt8](repeating: 0, count: 64) + [0])
        }
        #expect(throws: Secp256k1.SignatureError.invalidScalar) {
            try Secp256k1.RecoverableSignature(rawRepresentation: Self.order + signature.rawRepresentation[32...])
        }
        #expect(throws: Secp256k1.SignatureError.digestWrongLength(actual: 31)) {
            try key.signature(forDigest: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: Secp256k1.SignatureError.digestWrongLength(actual: 33)) {
            try signature.recoverPublicKey(forDigest: [UInt8](repeating: 1, count: 33))
        }
        #expect(!key.publicKey.isValidSignature(signature, forDigest: [UInt8](repeating: 1, count: 31)))
    }
}
